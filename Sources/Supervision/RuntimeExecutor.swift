import Foundation
import Synchronization

/// The threads every process runs on: a task executor with one worker thread per core, whose
/// idle workers look for work a little before they sleep — the BEAM's schedulers do the same.
///
/// Why not Swift's global executor: a message to an idle process starts a drainer task, and a
/// call's reply resumes the caller; on the global executor each of those enqueues wakes a sleeping
/// thread through the kernel (a futex wake and a context switch, 1–5 µs, measured with perf as most
/// of a call's round trip). Here a worker that has just run out of work keeps looking for
/// `spinLimit` before it sleeps, so a process answering another hands the work over through
/// memory instead of the kernel. At most one worker looks at a time, and it yields the core every
/// few dozen looks (`sched_yield`), so other threads of the machine lose little to it.
///
/// Threading rules: `enqueue` may be called from any thread (lws loops, the timer thread, other
/// executors). Jobs run in FIFO order across all workers. No lost wake-ups: a worker about to
/// sleep counts itself as a sleeper before it looks at the queue one last time, and a producer
/// counts the job before it looks for sleepers (both sequentially consistent).
///
/// Processes run their drainers here (`Runtime.executor`); a task that calls processes often can
/// run here too, `Task(executorPreference: runtime.executor) { … }`, so that its replies arrive
/// the same way.
public final class RuntimeExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `wakeTokens` is touched only with `condition` locked; the rest is a Mutex or
    // atomics.
    private let queue = Mutex(MessageQueue<UnownedJob>())
    /// Jobs queued, read without the lock by looking workers.
    private let pending = Atomic<Int>(0)
    private let lookers = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let condition = NSCondition()
    private var wakeTokens = 0
    private let spinLimit: Duration

    /// The executor every `Runtime` uses unless given another: one worker per core, at least two.
    public static let shared = RuntimeExecutor(workers: max(2, ProcessInfo.processInfo.activeProcessorCount))

    /// `workers` threads that look for work for `spinLimit` before sleeping.
    public init(workers: Int, spinLimit: Duration = .microseconds(50)) {
        self.spinLimit = spinLimit
        for index in 0..<max(1, workers) {
            // The threads keep the executor alive: they run for the life of the OS process.
            // Named from inside, once `start` has returned: on Linux, Foundation passes a name to
            // the OS only when the thread names itself and already knows its own handle, which
            // `start` records after the thread may have begun. Unnamed, the workers would show
            // under their creator's name in perf and in thread lists.
            let started = DispatchSemaphore(value: 0)
            let thread = Thread { [self] in
                started.wait()
                Thread.current.name = "lasso-runtime-\(index)"
                self.work()
            }
            thread.start()
            started.signal()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.withLock { $0.append(job) }
        pending.add(1, ordering: .sequentiallyConsistent)
        if lookers.load(ordering: .sequentiallyConsistent) == 0, sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            wakeOne()
        }
    }

    private func wakeOne() {
        condition.lock()
        wakeTokens += 1
        condition.signal()
        condition.unlock()
    }

    private func take() -> UnownedJob? {
        guard pending.load(ordering: .sequentiallyConsistent) > 0 else { return nil }
        return queue.withLock { queue in
            guard let job = queue.popFirst() else { return nil }
            pending.subtract(1, ordering: .sequentiallyConsistent)
            return job
        }
    }

    private func work() {
        let executor = asUnownedTaskExecutor()
        while true {
            if let job = take() ?? look() ?? sleepUntilWork() {
                job.runSynchronously(on: executor)
            }
        }
    }

    /// Looks for work until `spinLimit` passes, unless another worker is already looking.
    private func look() -> UnownedJob? {
        guard lookers.add(1, ordering: .sequentiallyConsistent).newValue == 1 else {
            lookers.subtract(1, ordering: .sequentiallyConsistent)
            return nil
        }
        let deadline = DispatchTime.now().uptimeNanoseconds &+ UInt64(max(0, spinLimit.nanoseconds))
        var found: UnownedJob?
        var looks = 0
        while found == nil {
            found = take()
            looks &+= 1
            if found == nil, looks % 64 == 0 {
                if DispatchTime.now().uptimeNanoseconds > deadline { break }
                sched_yield()
            }
        }
        lookers.subtract(1, ordering: .sequentiallyConsistent)
        // Producers did not wake anyone while this worker was looking: if more work is queued,
        // someone else must take it.
        if found != nil, pending.load(ordering: .sequentiallyConsistent) > 0,
           sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            wakeOne()
        }
        return found
    }

    private func sleepUntilWork() -> UnownedJob? {
        condition.lock()
        sleepers.add(1, ordering: .sequentiallyConsistent)
        while wakeTokens == 0, pending.load(ordering: .sequentiallyConsistent) == 0 { condition.wait() }
        if wakeTokens > 0 { wakeTokens -= 1 }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        condition.unlock()
        return take()
    }
}
