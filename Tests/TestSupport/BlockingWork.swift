import Foundation

/// Runs `body` on a thread of its own, not on the cooperative pool, and returns its result.
///
/// On Linux the cooperative pool has one thread per core, and `DispatchQueue.global()` shares
/// those threads: on the 2-core CI machine, two tests blocked in `recv` would stop every task in
/// the process — lassod's processes included — until a read returned. So an async test never
/// blocks on the pool; it blocks here:
///
/// ```swift
/// let exitCode = await offPool { process.waitUntilExit(); return process.terminationStatus }
/// ```
///
/// (`RawSocket`'s reads have async flavours that do this.)
public func offPool<Value: Sendable, Failure: Error>(_ body: @escaping @Sendable () throws(Failure) -> Value)
    async throws(Failure) -> Value {
    let result: Result<Value, Failure> = await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: Result { () throws(Failure) -> Value in try body() }) }.start()
    }
    return try result.get()
}
