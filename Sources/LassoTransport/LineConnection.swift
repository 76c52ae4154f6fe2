/// One client of a ``LineServer``: splits its bytes into lines and answers each with exactly
/// one reply line, in order.
///
/// Threading: loop thread only.
final class LineConnection: SocketHandler {
    private enum Pending {
        case line([UInt8])
        /// The client broke a limit: reply with this and close.
        case refusal(String)
    }

    private let server: LineServerState
    private var socket: LoopSocket?
    private var socketID: UInt = 0
    private var partial: [UInt8] = []
    private var pending: [Pending] = []
    private var running = false
    /// A limit was broken: input is ignored, and the connection closes once the refusal is out.
    private var refusing = false
    /// The client half-closed: answer what it sent, then close.
    private var inputEnded = false

    init(server: LineServerState) {
        self.server = server
    }

    func attach(_ socket: LoopSocket) {
        server.core.assertOnLoop()
        socketID = socket.id
        self.socket = socket
    }

    /// A reply for the running line.
    func deliver(_ line: [UInt8]) {
        server.core.assertOnLoop()
        guard running else { return }
        running = false
        write(line)
        pump()
    }

    func close() {
        server.core.assertOnLoop()
        socket?.close()
    }

    func socketReadable(_ socket: LoopSocket) {
        let end = socket.readAvailable { bytes in
            if !refusing { receive(bytes) }
        }
        if end == .endOfStream {
            inputEnded = true
            socket.pauseReading()
            pump()
        }
    }

    func socketClosed(_ socket: LoopSocket) {
        self.socket = nil
        server.closed(socketID)
    }

    private func receive(_ bytes: UnsafeRawBufferPointer) {
        let limit = server.configuration.maxLineBytes
        var start = 0
        while start < bytes.count, !refusing {
            let newline = bytes[start...].firstIndex(of: 0x0A)
            let end = newline ?? bytes.count
            if partial.count + (end - start) > limit {
                refuse("request line longer than \(limit) bytes; closing the connection")
                break
            }
            partial.append(contentsOf: bytes[start..<end])
            guard newline != nil else { break }
            start = end + 1
            var line = partial
            partial.removeAll(keepingCapacity: true)
            if line.last == 0x0D { line.removeLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            // Replies the client has not read count too: one that sends without reading is cut
            // off instead of growing the server's output.
            if pending.count >= server.configuration.maxQueuedLines
                || (socket?.pendingOutputBytes ?? 0) > server.configuration.maxLineBytes * server.configuration.maxQueuedLines {
                refuse("more than \(server.configuration.maxQueuedLines) requests waiting for replies; closing the connection")
                break
            }
            pending.append(.line(line))
            pump()
        }
        pump()
    }

    private func refuse(_ message: String) {
        refusing = true
        partial = []
        pending.append(.refusal(message))
    }

    /// Starts the next line unless one is running; closes when nothing is left to answer and
    /// the client is done (or refused).
    private func pump() {
        while !running, !pending.isEmpty {
            switch pending.removeFirst() {
            case .refusal(let message):
                write(server.refusal(message))
                pending.removeAll()
            case .line(let line):
                running = true
                server.run(line, for: socketID)
            }
        }
        if !running, pending.isEmpty, refusing || inputEnded { socket?.closeWhenFlushed() }
    }

    private func write(_ line: [UInt8]) {
        socket?.write(line.last == 0x0A ? line : line + [0x0A])
    }
}
