import Synchronization

/// Calls its completion with the first reply it is given and ignores the rest: for an attempt
/// whose reply races another ending (the exit of the process carrying it).
final class FirstReply: Sendable {
    private let completion: Mutex<(@Sendable (UpstreamReply) -> Void)?>

    init(_ completion: @escaping @Sendable (UpstreamReply) -> Void) {
        self.completion = Mutex(completion)
    }

    func resolve(_ reply: UpstreamReply) {
        let completion = self.completion.withLock { slot in
            defer { slot = nil }
            return slot
        }
        completion?(reply)
    }
}
