import CLassoShim
import CLibWebSockets
import Foundation

/// The loop-thread side of an ``AdminServer``: owns the raw Unix-socket vhost, turns accepted
/// connections into ``AdminConnection`` sessions, and runs their commands off the loop.
///
/// Threading: confined to the loop thread (`@unchecked Sendable` so the facade and command
/// tasks can carry it to the loop through the command queue).
final class AdminServerState: LoopSession, @unchecked Sendable {
    let core: LoopCore
    let file: AdminSocketFile
    private let control: any AdminControl
    private let logger: Logger?
    private var listenerID: UInt = 0
    private var vhost: OpaquePointer?
    private var identity: AdminSocketFile.Identity?
    private var connections: [UInt: AdminConnection] = [:]
    private var stopWaiters: [() -> Void] = []
    /// The path as the vhost holds it (`iface`). lws frees a destroyed vhost up to 30 s later
    /// and then unlinks `iface`, and until then matches new listeners against it; blanking it
    /// on stop keeps both away from a newer socket at the same path.
    private let interface: UnsafeMutablePointer<CChar>?
    private let vhostName: UnsafeMutablePointer<CChar>?

    init(core: LoopCore, path: String, control: any AdminControl, logger: Logger?) {
        self.core = core
        file = AdminSocketFile(path: path)
        self.control = control
        self.logger = logger
        interface = strdup(path)
        vhostName = strdup("lasso-admin")
    }

    deinit {
        free(interface)
        free(vhostName)
    }

    /// Creates the listening socket, mode 0600. Loop thread.
    func start() -> Result<Void, AdminServerError> {
        guard let context = core.context else { return .failure(.loopStopped) }
        if let problem = AdminSocketFile.problem(with: file.path) {
            return .failure(.invalidPath(path: file.path, reason: problem))
        }
        switch file.inspect() {
        case .failure(let error): return .failure(error)
        case .success(.live): return .failure(.alreadyInUse(path: file.path))
        case .success(.nothing), .success(.stale): break
        }
        listenerID = core.register(self)
        // The vhost points at `interface` until lws frees it, which may be after a failed start.
        core.retain(self)
        var info = lws_context_creation_info()
        info.port = 0  // with UNIX_SOCK: listen on `iface`, a path
        info.iface = UnsafePointer(interface)
        info.protocols = UnsafePointer(core.protocols)
        info.vhost_name = UnsafePointer(vhostName)
        // ONLY_RAW: accepted connections bind to the raw-skt role on protocols[0], whose
        // callback is the loop's; FAIL_UPON_UNABLE_TO_BIND: otherwise lws keeps a vhost that
        // retries the bind every 30 s instead of reporting the failure.
        info.options = UInt64(LWS_SERVER_OPTION_UNIX_SOCK | LWS_SERVER_OPTION_ONLY_RAW
                              | LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND)
        info.user = LoopCore.tag(listenerID)
        // The socket file takes its mode from the umask at bind time: 0177 makes it 0600 from
        // the moment it exists, with no window in which others could connect. The umask is
        // process-wide and restored right after the bind; a file another thread creates in that
        // window (BenchmarkPersistence writes its snapshot on its own schedule) gets 0600
        // instead of 0644 — stricter, never looser. lassod creates no directories, which the
        // mask would leave unusable.
        let previousMask = umask(0o177)
        let created = lws_create_vhost(context, &info)
        umask(previousMask)
        guard let created else {
            core.unregister(listenerID)
            return .failure(.bindFailed(path: file.path, reason: Self.bindFailureReason(file.path)))
        }
        vhost = created
        identity = file.identity()
        core.onShutdown(listenerID) { [weak self] in self?.stopNow() }
        return .success(())
    }

    /// Why binding `path` failed, as far as the file system tells (lws does not report errno).
    private static func bindFailureReason(_ path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        let parent = directory.isEmpty ? "." : directory
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory) || !isDirectory.boolValue {
            return "directory \(parent) does not exist"
        }
        if !FileManager.default.isWritableFile(atPath: parent) { return "directory \(parent) is not writable" }
        return "bind failed"
    }

    /// Stops listening, closes every connection and removes the socket file; `completion` runs
    /// on the loop thread once that is done. Waits for a timer tick so that the vhost is not
    /// destroyed inside lws's `EVENT_WAIT_CANCELLED` broadcast, which walks the vhost list.
    func stopSoon(_ completion: (() -> Void)?) {
        if let completion { stopWaiters.append(completion) }
        guard vhost != nil, let context = core.context else {
            finishStop()
            return
        }
        core.timers.schedule(in: context, after: 0) { [self] in stopNow() }
    }

    /// Outside any lws callback: tear down right away.
    private func stopNow() {
        if let vhost {
            self.vhost = nil
            for connection in connections.values { connection.kill() }
            lws_vhost_destroy(vhost)
            file.remove(ifStill: identity)
            interface?.pointee = 0
        }
        finishStop()
    }

    private func finishStop() {
        core.unregister(listenerID)
        core.removeShutdownHook(listenerID)
        let waiters = stopWaiters
        stopWaiters.removeAll()
        waiters.forEach { $0() }
    }

    /// First callbacks of a connection that has no session yet.
    func handle(wsi: OpaquePointer, reason: lws_callback_reasons, input: UnsafeMutableRawPointer?, length: Int) -> Int32 {
        guard reason == LWS_CALLBACK_RAW_ADOPT else { return 0 }
        guard vhost != nil else { return -1 }
        let connection = AdminConnection(server: self, wsi: wsi)
        connection.id = core.register(connection)
        connections[connection.id] = connection
        lws_set_opaque_user_data(wsi, LoopCore.tag(connection.id))
        return 0
    }

    /// Runs `command` on the cooperative pool and hands the reply back to `connection` on the
    /// loop thread; a slow command holds up only its own connection.
    func run(_ command: AdminCommand, for connection: UInt) {
        let control = self.control
        let core = self.core
        logger?.log(.info, "admin.command", ["cmd": .string(command.name),
                                             "args": .string(command.arguments.joined(separator: " "))])
        Task {
            let reply = await command.perform(on: control)
            _ = core.submit { [weak self] in self?.connections[connection]?.deliver(reply) }
        }
    }

    /// Called once per connection when lws closes it.
    func connectionClosed(_ connection: AdminConnection) {
        connections[connection.id] = nil
        core.unregister(connection.id)
    }
}
