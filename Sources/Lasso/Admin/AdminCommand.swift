import Foundation
import Supervision

/// One admin command with validated arguments: what a request line asks of lassod.
///
/// ``table`` is the single list of commands: their names, argument usage, one-line summaries
/// and argument checks. The socket's error replies, `lassod ctl --help` and the protocol
/// documentation all read from it, so a command added here is known everywhere.
///
/// ```swift
/// let command = try AdminCommand.parse(name: "restart-chain", arguments: ["ethereum"]).get()
/// let replyLine = await command.perform(on: control)   // {"ok":true,"result":{"chain":"ethereum","running":true}}
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public enum AdminCommand: Sendable, Equatable {
    case tree
    case chains
    case status(chain: String)
    case restartChain(String)
    case stopChain(String)
    case startChain(String)
    case reload
    case kill(path: String)
    case breaker(chain: String, provider: String, transport: TransportKind, action: BreakerAction)

    /// How long a change may take before the reply gives up waiting (the change itself goes on):
    /// a reload stops and starts chains one after another, each within its shutdown timeouts.
    public static let changeTimeout: Duration = .seconds(120)

    /// A row of the command table.
    public struct Spec: Sendable {
        /// The `cmd` value, e.g. `restart-chain`.
        public let name: String
        /// Placeholders for the positional arguments, e.g. `["CHAIN"]`.
        public let arguments: [String]
        /// What the command does, in one line.
        public let summary: String
        fileprivate let build: @Sendable ([String]) -> Result<AdminCommand, AdminRequestError>

        /// `name ARG…` as the usage text shows it.
        public var usage: String { ([name] + arguments).joined(separator: " ") }
    }

    /// Every command, in the order help texts list them.
    public static let table: [Spec] = [
        Spec(name: "tree", arguments: [], summary: "the whole supervision tree") { _ in .success(.tree) },
        Spec(name: "chains", arguments: [], summary: "every configured chain and whether it runs") { _ in .success(.chains) },
        Spec(name: "status", arguments: ["CHAIN"],
             summary: "one chain's providers: availability, breakers, head, lag, scores") { .success(.status(chain: $0[0])) },
        Spec(name: "restart-chain", arguments: ["CHAIN"], summary: "stop and start a chain from the current config") {
            .success(.restartChain($0[0]))
        },
        Spec(name: "stop-chain", arguments: ["CHAIN"], summary: "stop a running chain") { .success(.stopChain($0[0])) },
        Spec(name: "start-chain", arguments: ["CHAIN"], summary: "start a configured chain that is stopped") {
            .success(.startChain($0[0]))
        },
        Spec(name: "reload", arguments: [],
             summary: "re-read the config: start added chains, stop removed ones, restart changed ones") { _ in .success(.reload) },
        Spec(name: "kill", arguments: ["PATH"],
             summary: "crash the process at a tree path; its supervisor restarts it") {
            .success(.kill(path: $0[0]))
        },
        Spec(name: "breaker", arguments: ["CHAIN", "PROVIDER", "http|ws", "open|close|reset"],
             summary: "force a provider's circuit breaker open, closed, or reset") { arguments in
            let usage = "usage: breaker CHAIN PROVIDER http|ws open|close|reset"
            guard let transport = TransportKind(rawValue: arguments[2]) else {
                return .failure(AdminRequestError("transport must be http or ws, not \"\(arguments[2])\"; \(usage)"))
            }
            guard let action = BreakerAction(rawValue: arguments[3]) else {
                return .failure(AdminRequestError("action must be open, close or reset, not \"\(arguments[3])\"; \(usage)"))
            }
            return .success(.breaker(chain: arguments[0], provider: arguments[1], transport: transport, action: action))
        },
    ]

    /// `tree, chains, status CHAIN, …`: the list error replies show.
    public static var commandList: String { table.map(\.usage).joined(separator: ", ") }

    /// The command named `name` with `arguments`, or the error reply that explains what is wrong.
    public static func parse(name: String, arguments: [String]) -> Result<AdminCommand, AdminRequestError> {
        guard let spec = table.first(where: { $0.name == name }) else {
            return .failure(AdminRequestError("unknown command \"\(name)\"; commands: \(commandList)"))
        }
        guard arguments.count == spec.arguments.count else {
            let expected = spec.arguments.isEmpty ? "no arguments" : "\(spec.arguments.count) argument"
                + (spec.arguments.count == 1 ? "" : "s")
            return .failure(AdminRequestError("\(name) takes \(expected), got \(arguments.count); usage: \(spec.usage)"))
        }
        return spec.build(arguments)
    }

    /// The `cmd` value of this command.
    public var name: String {
        switch self {
        case .tree: "tree"
        case .chains: "chains"
        case .status: "status"
        case .restartChain: "restart-chain"
        case .stopChain: "stop-chain"
        case .startChain: "start-chain"
        case .reload: "reload"
        case .kill: "kill"
        case .breaker: "breaker"
        }
    }

    /// The `args` values of this command.
    public var arguments: [String] {
        switch self {
        case .tree, .chains, .reload: []
        case .status(let chain), .restartChain(let chain), .stopChain(let chain), .startChain(let chain): [chain]
        case .kill(let path): [path]
        case .breaker(let chain, let provider, let transport, let action):
            [chain, provider, transport.rawValue, action.rawValue]
        }
    }

    /// Carries the command out on `control` and returns the reply line (with its newline).
    /// An `AdminError` becomes an error reply carrying its description.
    public func perform(on control: any AdminControl) async -> [UInt8] {
        do {
            switch self {
            case .tree:
                return try AdminReply.success(await control.tree())
            case .chains:
                return try AdminReply.success(await control.chains())
            case .status(let chain):
                return try AdminReply.success(await control.status(chain: chain))
            case .restartChain(let chain):
                try await control.restartChain(chain)
                return try AdminReply.success(AdminChainState(chain: chain, running: true))
            case .stopChain(let chain):
                try await control.stopChain(chain)
                return try AdminReply.success(AdminChainState(chain: chain, running: false))
            case .startChain(let chain):
                try await control.startChain(chain)
                return try AdminReply.success(AdminChainState(chain: chain, running: true))
            case .reload:
                return try AdminReply.success(await control.reload())
            case .kill(let path):
                return try AdminReply.success(AdminKillResult(path: path, killed: await control.kill(path: path)))
            case .breaker(let chain, let provider, let transport, let action):
                let phase = try await control.breaker(chain: chain, provider: provider, transport: transport, action: action)
                return try AdminReply.success(BreakerState(chain: chain, provider: provider, transport: transport,
                                                           phase: phase))
            }
        } catch let error as AdminError {
            return AdminReply.failure(error.description)
        } catch {
            return AdminReply.failure("\(name) failed: \(error)")
        }
    }
}
