import Supervision

/// One chain's measurements inside `BenchmarkStore`: a slot per `MetricKey`, and a ring of
/// hourly windows whose counters are flat arrays indexed by slot.
///
/// Flat arrays, rather than a struct per key holding its own arrays, keep the allocation count
/// at a few dozen per chain, make recording an index computation, and let a whole window be
/// cleared in place when it is reused for a new hour.
struct ChainBenchmarks: Sendable {
    /// Per slot per window: what happened in that hour.
    struct WindowCounters: Sendable {
        var successes: UInt32 = 0
        var failures: UInt32 = 0
        var successLatencyMicros: UInt64 = 0

        var count: UInt64 { UInt64(successes) + UInt64(failures) }
    }

    /// One hour of data for every slot.
    struct HourWindow: Sendable {
        /// The hour (monotonic milliseconds / 3 600 000) this window holds; `nil` while unused.
        var hour: UInt64?
        var counters: [WindowCounters] = []
        /// `LatencyHistogram.bucketCount` counters per slot, slot-major.
        var buckets: [UInt32] = []
    }

    /// Per slot, across windows: what `fastest` ranks by.
    struct LiveStats: Sendable {
        var ewmaMs: Double = 0
        var hasLatency = false
        var lastUpdated = RuntimeInstant.zero
    }

    static let millisecondsPerHour: UInt64 = 3_600_000

    private(set) var slotsByKey: [MetricKey: Int] = [:]
    /// Slots ever handed out; freed slots below it are reused before it grows.
    private var usedSlots = 0
    private var freeSlots: [Int] = []
    private(set) var live: [LiveStats] = []
    private(set) var windows: [HourWindow]
    /// Ring position of the newest window.
    private var newest = 0
    private var newestHour: UInt64?
    private var slotCapacity = 0
    /// Records refused because the key cap was reached.
    private(set) var refusedRecords: UInt64 = 0

    init(retainedHours: Int) {
        windows = Array(repeating: HourWindow(), count: max(1, retainedHours))
    }

    var keyCount: Int { slotsByKey.count }

    /// Records one attempt. O(1); allocates only when `key` is new.
    mutating func record(
        _ key: MetricKey, latencyMicros: UInt64, succeeded: Bool, now: RuntimeInstant,
        maxKeys: Int, ewmaAlpha: Double
    ) -> Bool {
        advance(toHour: now.milliseconds / Self.millisecondsPerHour)
        let slot: Int
        if let existing = slotsByKey[key] {
            slot = existing
        } else if let added = addSlot(for: key, maxKeys: maxKeys) {
            slot = added
        } else {
            refusedRecords &+= 1
            return false
        }
        if succeeded {
            if windows[newest].counters[slot].successes < .max { windows[newest].counters[slot].successes += 1 }
            windows[newest].counters[slot].successLatencyMicros &+= latencyMicros
            let bucket = slot &* LatencyHistogram.bucketCount &+ LatencyHistogram.bucketIndex(micros: latencyMicros)
            if windows[newest].buckets[bucket] < .max { windows[newest].buckets[bucket] += 1 }
            let sampleMs = Double(latencyMicros) / 1_000
            if live[slot].hasLatency {
                live[slot].ewmaMs += ewmaAlpha * (sampleMs - live[slot].ewmaMs)
            } else {
                live[slot].ewmaMs = sampleMs
                live[slot].hasLatency = true
            }
        } else if windows[newest].counters[slot].failures < .max {
            windows[newest].counters[slot].failures += 1
        }
        live[slot].lastUpdated = now
        return true
    }

    /// Adds a persisted summary of `key` to the current hour: its counts, every success at
    /// `meanLatencyMicros`, and its EWMA unless live samples already set one.
    mutating func seed(
        _ key: MetricKey, successes: UInt32, failures: UInt32, meanLatencyMicros: UInt64, ewmaMs: Double,
        now: RuntimeInstant, maxKeys: Int
    ) -> Bool {
        advance(toHour: now.milliseconds / Self.millisecondsPerHour)
        guard successes > 0 || failures > 0, let slot = slotsByKey[key] ?? addSlot(for: key, maxKeys: maxKeys) else {
            return false
        }
        var counters = windows[newest].counters[slot]
        let added = min(successes, .max - counters.successes)
        counters.successes += added
        counters.failures += min(failures, .max - counters.failures)
        counters.successLatencyMicros &+= UInt64(added) &* meanLatencyMicros
        windows[newest].counters[slot] = counters
        if added > 0 {
            let bucket = slot &* LatencyHistogram.bucketCount &+ LatencyHistogram.bucketIndex(micros: meanLatencyMicros)
            windows[newest].buckets[bucket] += min(added, .max - windows[newest].buckets[bucket])
            if !live[slot].hasLatency {
                live[slot].ewmaMs = ewmaMs
                live[slot].hasLatency = true
            }
        }
        live[slot].lastUpdated = now
        return true
    }

    /// Moves the ring forward to `hour`, clearing every window it reuses. Earlier hours are
    /// ignored: on a monotonic clock they only come from a late caller, whose sample then
    /// lands in the newest window.
    mutating func advance(toHour hour: UInt64) {
        guard let current = newestHour else {
            newestHour = hour
            windows[newest].hour = hour
            return
        }
        guard hour > current else { return }
        let steps = Int(min(hour - current, UInt64(windows.count)))
        for _ in 0..<steps {
            newest = (newest + 1) % windows.count
            clear(window: newest)
        }
        windows[newest].hour = hour
        newestHour = hour
    }

    /// Frees the slots of keys with no attempt left in the retained windows. Returns how many.
    mutating func dropIdleKeys(nowHour: UInt64, retainedHours: Int) -> Int {
        var dropped = 0
        for (key, slot) in slotsByKey where totals(slot: slot, nowHour: nowHour, hours: retainedHours).count == 0 {
            slotsByKey[key] = nil
            live[slot] = LiveStats()
            freeSlots.append(slot)
            dropped += 1
        }
        return dropped
    }

    /// Sums a slot's counters over the windows of the last `hours` hours up to `nowHour`.
    func totals(slot: Int, nowHour: UInt64, hours: Int) -> WindowCounters {
        var sum = WindowCounters()
        var successes: UInt64 = 0
        var failures: UInt64 = 0
        for window in windows where Self.isWithin(window, nowHour: nowHour, hours: hours) {
            let counters = window.counters[slot]
            successes += UInt64(counters.successes)
            failures += UInt64(counters.failures)
            sum.successLatencyMicros &+= counters.successLatencyMicros
        }
        sum.successes = UInt32(clamping: successes)
        sum.failures = UInt32(clamping: failures)
        return sum
    }

    /// Adds a slot's latency buckets over the windows of the last `hours` hours into `histogram`.
    func addLatencies(slot: Int, nowHour: UInt64, hours: Int, into histogram: inout LatencyHistogram) {
        let start = slot * LatencyHistogram.bucketCount
        for window in windows where Self.isWithin(window, nowHour: nowHour, hours: hours) {
            histogram.add(counts: window.buckets[start..<start + LatencyHistogram.bucketCount])
        }
    }

    /// Bytes held, counted from array capacities and string storage; what the key cap bounds.
    var approximateBytes: Int {
        var bytes = MemoryLayout<ChainBenchmarks>.size
        for window in windows {
            bytes += window.counters.capacity * MemoryLayout<WindowCounters>.stride
            bytes += window.buckets.capacity * MemoryLayout<UInt32>.stride
        }
        bytes += live.capacity * MemoryLayout<LiveStats>.stride
        bytes += freeSlots.capacity * MemoryLayout<Int>.stride
        // A dictionary keeps at most 3/4 of its buckets full, plus a bitmap word per 64.
        let entry = MemoryLayout<MetricKey>.stride + MemoryLayout<Int>.stride
        bytes += slotsByKey.capacity * entry * 4 / 3 + slotsByKey.capacity / 8
        for key in slotsByKey.keys {
            // Strings over 15 UTF-8 bytes live on the heap.
            bytes += Self.heapBytes(key.providerID) + Self.heapBytes(key.method)
        }
        return bytes
    }

    private static func heapBytes(_ string: String) -> Int {
        let utf8 = string.utf8.count
        return utf8 > 15 ? 32 + utf8 : 0
    }

    private static func isWithin(_ window: HourWindow, nowHour: UInt64, hours: Int) -> Bool {
        guard let hour = window.hour, hour <= nowHour else { return false }
        return nowHour - hour < UInt64(max(0, hours))
    }

    private mutating func clear(window index: Int) {
        windows[index].hour = nil
        windows[index].counters.withUnsafeMutableBufferPointer { $0.update(repeating: WindowCounters()) }
        windows[index].buckets.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    private mutating func addSlot(for key: MetricKey, maxKeys: Int) -> Int? {
        let slot: Int
        if let reused = freeSlots.popLast() {
            slot = reused
        } else {
            guard usedSlots < maxKeys else { return nil }
            slot = usedSlots
            if slot >= slotCapacity { grow(to: min(maxKeys, max(8, slotCapacity * 2))) }
            usedSlots += 1
            live.append(LiveStats())
        }
        slotsByKey[key] = slot
        return slot
    }

    /// Grows every window to `capacity` slots, reserving exactly that much so arrays never
    /// double past the key cap.
    private mutating func grow(to capacity: Int) {
        let added = capacity - slotCapacity
        guard added > 0 else { return }
        for index in windows.indices {
            windows[index].counters.reserveCapacity(capacity)
            windows[index].counters.append(contentsOf: repeatElement(WindowCounters(), count: added))
            windows[index].buckets.reserveCapacity(capacity * LatencyHistogram.bucketCount)
            windows[index].buckets.append(contentsOf: repeatElement(0, count: added * LatencyHistogram.bucketCount))
        }
        live.reserveCapacity(capacity)
        slotCapacity = capacity
    }
}
