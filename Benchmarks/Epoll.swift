import Glibc

/// Linux epoll for the benchmark's upstream and load client, owned by one thread.
///
/// Swift's Glibc module does not include `<sys/epoll.h>`, and the benchmarks take no C target,
/// so the three calls are looked up in libc by name (`dlsym`, once per instance) and called
/// through C function pointers, and `struct epoll_event` is read and written by hand at its
/// kernel ABI layout: `{ uint32_t events; uint64_t data; }`, packed (12 bytes) on x86_64,
/// naturally aligned (16 bytes) elsewhere. The flag values are the kernel's, stable ABI.
///
/// ```swift
/// let epoll = try Epoll(capacity: 256)
/// try epoll.add(listener, events: Epoll.readable, token: 0)
/// let ready = epoll.wait(timeoutMilliseconds: -1)
/// for index in 0..<ready { let event = epoll.event(at: index) … }
/// ```
final class Epoll {
    struct Event {
        let events: UInt32
        let token: UInt64
    }

    static let readable: UInt32 = 0x001
    static let writable: UInt32 = 0x004
    static let error: UInt32 = 0x008
    static let hangUp: UInt32 = 0x010

    private typealias Create = @convention(c) (Int32) -> Int32
    private typealias Control = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    private typealias Wait = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32

    private static let add = Int32(1), modify = Int32(3)
    #if arch(x86_64)
    private static let eventSize = 12, dataOffset = 4
    #else
    private static let eventSize = 16, dataOffset = 8
    #endif

    private let fd: Int32
    private let control: Control
    private let waitForEvents: Wait
    private let ready: UnsafeMutableRawPointer
    private let scratch: UnsafeMutableRawPointer
    /// The most events one `wait` reports.
    let capacity: Int

    init(capacity: Int) throws {
        guard let libc = dlopen(nil, RTLD_NOW),
              let create = dlsym(libc, "epoll_create1"),
              let control = dlsym(libc, "epoll_ctl"),
              let wait = dlsym(libc, "epoll_wait")
        else { throw PosixSocket.Failure(call: "dlsym(epoll_*)", code: ENOSYS) }
        self.control = unsafeBitCast(control, to: Control.self)
        waitForEvents = unsafeBitCast(wait, to: Wait.self)
        fd = unsafeBitCast(create, to: Create.self)(O_CLOEXEC)
        guard fd >= 0 else { throw PosixSocket.Failure(call: "epoll_create1", code: errno) }
        self.capacity = max(1, capacity)
        ready = UnsafeMutableRawPointer.allocate(byteCount: self.capacity * Self.eventSize, alignment: 8)
        scratch = UnsafeMutableRawPointer.allocate(byteCount: Self.eventSize, alignment: 8)
    }

    deinit {
        close(fd)
        ready.deallocate()
        scratch.deallocate()
    }

    func add(_ descriptor: Int32, events: UInt32, token: UInt64) throws {
        guard change(Self.add, descriptor, events, token) else { throw PosixSocket.Failure(call: "epoll_ctl(ADD)", code: errno) }
    }

    /// Replaces what `descriptor` is watched for; false if the kernel refused.
    @discardableResult
    func modify(_ descriptor: Int32, events: UInt32, token: UInt64) -> Bool {
        change(Self.modify, descriptor, events, token)
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) and returns how many events are ready
    /// (read them with `event(at:)`), or -1 with `errno` set.
    func wait(timeoutMilliseconds: Int32) -> Int {
        Int(waitForEvents(fd, ready, Int32(capacity), timeoutMilliseconds))
    }

    /// The `index`-th event of the last `wait`.
    func event(at index: Int) -> Event {
        let base = ready + index * Self.eventSize
        return Event(events: base.loadUnaligned(as: UInt32.self),
                     token: (base + Self.dataOffset).loadUnaligned(as: UInt64.self))
    }

    private func change(_ operation: Int32, _ descriptor: Int32, _ events: UInt32, _ token: UInt64) -> Bool {
        scratch.storeBytes(of: events, as: UInt32.self)
        (scratch + Self.dataOffset).storeBytes(of: token, toByteOffset: 0, as: UInt64.self)
        return control(fd, operation, descriptor, scratch) == 0
    }
}
