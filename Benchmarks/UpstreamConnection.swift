import Glibc

/// One client connection of the benchmark upstream, doing what a node's HTTP front does: read
/// a request's whole body by `Content-Length`, find its top-level `id`, answer
/// `{"jsonrpc":"2.0","id":<id>,"result":"0x1234"}` with a correct `Content-Length`, and keep the
/// connection alive. Pipelined requests are answered in order, all answers of one read in one
/// `send`.
///
/// A request whose body has not fully arrived is not answered: its head is remembered and the
/// connection waits for more bytes. That is the point of this upstream; nginx's `return 200`
/// answers on the head alone and so hides the cost of sending the body.
///
/// Owned by one `UpstreamLoop` thread. Its buffers are allocated with it and reused, so a
/// request costs no allocation.
final class UpstreamConnection {
    /// What the loop should wait for next.
    enum Next { case readable, writable, close }

    /// The largest request accepted; bigger ones close the connection.
    static let maximumMessageLength = 16 * 1_024 * 1_024

    let fd: Int32
    /// What the loop last registered with epoll for this connection.
    var registered: Next = .readable
    private let input = IOBuffer(capacity: 16 * 1_024)
    private let output = IOBuffer(capacity: 16 * 1_024)
    /// The head of a request whose body is still arriving, so it is not scanned again per read.
    private var waitingHead: HTTPHead?
    private var closeAfterFlush = false

    init(fd: Int32) { self.fd = fd }

    /// Reads once (the loop is level-triggered, so what is left comes back), answers every
    /// complete request and writes the answers.
    func readable() -> Next {
        let wanted = max(4_096, (waitingHead?.messageLength ?? 0) - input.readableCount)
        let space = input.writable(minimum: wanted)
        let received = recv(fd, space.baseAddress, space.count, 0)
        if received == 0 { return .close }
        if received < 0 { return errno == EAGAIN || errno == EINTR ? .readable : .close }
        input.commit(received)
        guard answerCompleteRequests() else { return .close }
        return flush()
    }

    /// Writes what an earlier `send` could not.
    func writable() -> Next { flush() }

    /// False when the input cannot be a valid request (the connection is then closed).
    private func answerCompleteRequests() -> Bool {
        while !closeAfterFlush {
            let head: HTTPHead
            if let waiting = waitingHead {
                head = waiting
            } else {
                switch HTTPHead.parse(input.readable) {
                case .incomplete: return true
                case .invalid: return false
                case .complete(let parsed): head = parsed
                }
            }
            guard head.messageLength <= Self.maximumMessageLength else { return false }
            guard input.readableCount >= head.messageLength else {
                waitingHead = head
                return true
            }
            waitingHead = nil
            answer(body: UnsafeRawBufferPointer(rebasing: input.readable[head.headLength..<head.messageLength]),
                   closing: head.closesConnection)
            input.consume(head.messageLength)
            closeAfterFlush = head.closesConnection
        }
        return true
    }

    private func answer(body: UnsafeRawBufferPointer, closing: Bool) {
        let id = JSONRPCIDScanner.topLevelID(in: body)
        let idLength = id?.count ?? Self.null.count
        output.append(closing ? Self.closingHead : Self.keepAliveHead)
        output.append(decimal: Self.resultPrefix.count + idLength + Self.resultSuffix.count)
        output.append(Self.endOfHead)
        output.append(Self.resultPrefix)
        if let id {
            output.append(UnsafeRawBufferPointer(rebasing: body[id]))
        } else {
            output.append(Self.null)
        }
        output.append(Self.resultSuffix)
    }

    private func flush() -> Next {
        while !output.isEmpty {
            let pending = output.readable
            let sent = send(fd, pending.baseAddress, pending.count, Int32(MSG_NOSIGNAL))
            if sent > 0 {
                output.consume(sent)
            } else if sent < 0, errno == EINTR {
                continue
            } else if sent < 0, errno == EAGAIN {
                return .writable
            } else {
                return .close
            }
        }
        return closeAfterFlush ? .close : .readable
    }

    // The answer is these constant pieces around the id and the body length, copied per request.
    private static let keepAliveHead = Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ".utf8)
    private static let closingHead =
        Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ".utf8)
    private static let endOfHead = Array("\r\n\r\n".utf8)
    private static let resultPrefix = Array(#"{"jsonrpc":"2.0","id":"#.utf8)
    private static let resultSuffix = Array(#","result":"0x1234"}"#.utf8)
    private static let null = Array("null".utf8)
}
