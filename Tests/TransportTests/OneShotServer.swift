import Foundation

/// A raw TCP server that accepts one connection, reads a request head, writes fixed bytes and
/// closes: for responses a real server would never send (truncated bodies).
final class OneShotServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let done = DispatchSemaphore(value: 0)

    init?(response: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            return nil
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let listener = self.listener, done = self.done
        Thread {
            let client = accept(listener, nil, nil)
            if client >= 0 {
                var head: [UInt8] = []
                var byte: UInt8 = 0
                while recv(client, &byte, 1, 0) == 1 {
                    head.append(byte)
                    if head.suffix(4) == [13, 10, 13, 10] { break }
                }
                let bytes = Array(response.utf8)
                _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(client)
            }
            done.signal()
        }.start()
    }

    /// Waits for the single exchange to finish, then closes the listener.
    func finish() {
        done.wait()
        close(listener)
    }
}
