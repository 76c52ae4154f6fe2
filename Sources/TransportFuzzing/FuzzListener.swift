import Foundation
import Synchronization

/// A loopback listener whose every connection runs `script` on a thread of its own; the
/// fuzzer's hostile upstreams.
final class FuzzListener: Sendable {
    let port: Int
    private let fd: Int32

    init?(script: @escaping @Sendable (FuzzSocket, Int) -> Void) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 128) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard listening else {
            close(fd)
            return nil
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.fd = fd
        let listener = fd
        Thread {
            var index = 0
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                let current = index
                index += 1
                Thread { script(FuzzSocket(accepted: client, timeout: .seconds(1)), current) }.start()
            }
        }.start()
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}
