import Foundation
import Synchronization
import LassoTransport

/// The dashboard's actions, each a POST that needs the admin token (`DashboardToken`):
///
/// - `POST /dashboard/admin` with an admin-protocol request, `{"cmd":"kill","args":[PATH]}`:
///   `restart-chain`, `breaker` and `kill` are allowed, parsed by `AdminRequest` and carried out
///   by `AdminCommand.perform` on the same `AdminControl` as `lassod ctl`; the reply is the
///   admin reply (`{"ok":true,"result":…}`), 200, or 422 when the command failed.
/// - `POST /dashboard/load` (`DashboardLoad`): runs the requests in the background through the
///   `RPCEndpoint`, one load at a time (409 while one runs); replies at once.
///
/// 403 without a configured token or with a wrong one; 400 for a malformed request or a
/// command the dashboard does not offer. Each accepted action is logged as `dashboard.action`
/// (command and arguments, never the token).
final class DashboardActions: Sendable {
    /// What the page may do; the rest (reload, stop and start) stays with `lassod ctl`.
    static let allowedCommands: Set<String> = ["restart-chain", "breaker", "kill"]

    let hub: DashboardHub
    let rpc: RPCEndpoint
    private let loadRunning = Atomic<Bool>(false)

    init(hub: DashboardHub, rpc: RPCEndpoint) {
        self.hub = hub
        self.rpc = rpc
    }

    func admin(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        if let refusal = refusal(request) {
            respond(.json(AdminReply.failure(refusal), status: 403))
            return
        }
        var line = request.body
        while line.last == 0x0A || line.last == 0x0D { line.removeLast() }
        let command: AdminCommand
        switch AdminRequest.parse(line) {
        case .failure(let error):
            respond(.json(AdminReply.failure(error.description), status: 400))
            return
        case .success(let parsed):
            command = parsed
        }
        guard Self.allowedCommands.contains(command.name) else {
            respond(.json(AdminReply.failure("\(command.name) is not offered by the dashboard; use lassod ctl "
                                             + "(the dashboard offers \(Self.allowedCommands.sorted().joined(separator: ", ")))"),
                          status: 400))
            return
        }
        guard let control = hub.currentControl else {
            respond(.json(AdminReply.failure("lassod is starting or stopping; try again"), status: 503))
            return
        }
        hub.logger.log(.info, "dashboard.action", ["cmd": .string(command.name),
                                                   "args": .string(command.arguments.joined(separator: " "))])
        Task {
            let reply = await command.perform(on: control)
            let succeeded = if case .success? = AdminReply.decode(reply) { true } else { false }
            respond(.json(reply, status: succeeded ? 200 : 422))
            hub.signal()
        }
    }

    func load(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        if let refusal = refusal(request) {
            respond(.json(AdminReply.failure(refusal), status: 403))
            return
        }
        let load: DashboardLoad
        switch DashboardLoad.parse(request.body, chains: hub.configs.config.chains.map(\.key)) {
        case .failure(let error):
            respond(.json(AdminReply.failure(error.message), status: 400))
            return
        case .success(let parsed):
            load = parsed
        }
        guard !loadRunning.exchange(true, ordering: .acquiringAndReleasing) else {
            respond(.json(AdminReply.failure("a load is already running; wait for it to finish"), status: 409))
            return
        }
        hub.logger.log(.info, "dashboard.action", [
            "cmd": .string("load"), "chain": .string(load.chain), "strategy": .string(load.strategy.rawValue),
            "requests": .int(load.requests), "concurrency": .int(load.concurrency),
            "methods": .string(load.methods.map { "\($0.name):\($0.weight)" }.joined(separator: ",")),
        ])
        var json = JSONWriter(capacity: 128)
        json.beginObject()
        json.bool("ok", true)
        json.beginObject("result")
        json.string("chain", load.chain)
        json.string("strategy", load.strategy.pathSegment)
        json.int("requests", load.requests)
        json.int("concurrency", load.concurrency)
        json.endObject()
        json.endObject()
        respond(.json(json.finish()))
        Task { [self] in
            await run(load)
            loadRunning.store(false, ordering: .releasing)
        }
    }

    /// `POST /dashboard/simulate` `{"provider":"ethereum_sim_1","behavior":"down"}`: switches a
    /// simulated provider (`lassod demo` only: 404 elsewhere).
    func simulate(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        if let refusal = refusal(request) {
            respond(.json(AdminReply.failure(refusal), status: 403))
            return
        }
        guard let simulator = hub.currentSimulator else {
            respond(.json(AdminReply.failure("no simulated providers here: only lassod demo has them"), status: 404))
            return
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
              let provider = object["provider"] as? String, let behavior = object["behavior"] as? String else {
            respond(.json(AdminReply.failure(#"the body must be {"provider":ID,"behavior":"healthy|down|slow:MS|…"}"#),
                          status: 400))
            return
        }
        if let problem = simulator.setBehavior(provider: provider, behavior: behavior) {
            respond(.json(AdminReply.failure(problem), status: 400))
            return
        }
        hub.logger.log(.info, "dashboard.action", ["cmd": .string("simulate"), "args": .string("\(provider) \(behavior)")])
        var json = JSONWriter(capacity: 96)
        json.beginObject()
        json.bool("ok", true)
        json.beginObject("result")
        json.string("provider", provider)
        json.string("behavior", behavior)
        json.endObject()
        json.endObject()
        respond(.json(json.finish()))
        hub.signal()
    }

    /// Runs `load`: `concurrency` workers, each sending its next request when the last is answered.
    func run(_ load: DashboardLoad) async {
        let next = NextRequest()
        let rpc = self.rpc
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<load.concurrency {
                group.addTask {
                    while true {
                        let index = next.index.add(1, ordering: .relaxed).oldValue
                        guard index < load.requests else { return }
                        let request = HTTPRequest(method: .post, path: load.path, body: load.body(at: index))
                        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                            rpc.handle(request) { _ in done.resume() }
                        }
                    }
                }
            }
        }
    }

    /// The number of the next request of a load, shared by its workers.
    private final class NextRequest: Sendable {
        let index = Atomic<Int>(0)
    }

    private func refusal(_ request: HTTPRequest) -> String? {
        DashboardToken.refusal(configured: hub.configs.config.server.adminToken,
                               authorization: request.header("authorization"))
    }
}
