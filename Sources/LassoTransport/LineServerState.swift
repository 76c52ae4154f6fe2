import Foundation

/// The loop-thread side of a ``LineServer``: its listener and connections.
///
/// Threading: confined to the loop thread; every entry checks it (``LoopCore/assertOnLoop(_:_:)``).
/// `@unchecked Sendable` so the server facade and ``LineReply`` can carry it to the loop through
/// the command queue: off the loop they only hold it (and read the immutable `core`), never
/// touch its state. `init` runs on the caller's thread before the state is handed to the loop.
final class LineServerState: @unchecked Sendable {
    let core: LoopCore
    let configuration: LineServer.Configuration
    let refusal: @Sendable (String) -> [UInt8]
    let handler: LineServer.Handler
    private let id: UInt
    private var listener: Listener?
    private var connections: [UInt: LineConnection] = [:]

    init(core: LoopCore, configuration: LineServer.Configuration, refusal: @escaping @Sendable (String) -> [UInt8],
         handler: @escaping LineServer.Handler) {
        self.core = core
        self.configuration = configuration
        self.refusal = refusal
        self.handler = handler
        id = core.uniqueNumber()
    }

    func start(_ address: SocketAddress) -> Result<Void, EventLoopError> {
        core.assertOnLoop()
        guard core.context != nil else { return .failure(.stopped) }
        switch Listener.open(core: core, address: address, backlog: 64, unixMode: mode_t(configuration.mode),
                             onAccept: { fd in self.accept(fd) }) {
        case .failure(let error): return .failure(error)
        case .success(let listener):
            self.listener = listener
            core.onShutdown(id) { [weak self] in self?.stop() }
            return .success(())
        }
    }

    private func accept(_ fd: Int32) {
        let connection = LineConnection(server: self)
        guard let socket = LoopSocket.adopt(fd: fd, core: core, handler: connection, connecting: false, tls: nil) else { return }
        connection.attach(socket)
        connections[socket.id] = connection
    }

    func run(_ line: [UInt8], for connection: UInt) {
        core.assertOnLoop()
        handler(line, LineReply(server: self, connection: connection))
    }

    func deliver(_ line: [UInt8], to connection: UInt) {
        core.assertOnLoop()
        connections[connection]?.deliver(line)
    }

    func closed(_ connection: UInt) {
        core.assertOnLoop()
        connections[connection] = nil
    }

    func stop() {
        core.assertOnLoop()
        listener?.close()
        listener = nil
        for connection in Array(connections.values) { connection.close() }
        core.removeShutdownHook(id)
    }
}
