/// The task of a process's current drainer, kept so that a stop request can cancel a handler
/// suspended in cancellable work, and dropped when the drainer ends so that an idle process holds
/// no task.
///
/// Drainers are numbered. The task is recorded after it was created, so it may already have
/// finished by then: a finished drainer's task is never recorded, and a finishing drainer clears
/// only its own.
struct DrainerSlot {
    private(set) var task: Task<Void, Never>?
    private var generation: UInt64 = 0
    private var taskGeneration: UInt64 = 0
    private var finished: UInt64 = 0

    /// A drainer is about to start: its number.
    mutating func begin() -> UInt64 {
        generation &+= 1
        return generation
    }

    /// Records the task of drainer `generation`, unless it has finished or a newer one started.
    mutating func record(_ newTask: Task<Void, Never>, generation number: UInt64) {
        guard number == generation, finished != number else { return }
        task = newTask
        taskGeneration = number
    }

    /// Drainer `generation` has ended.
    mutating func finish(_ number: UInt64) {
        finished = max(finished, number)
        if taskGeneration == number { task = nil }
    }
}
