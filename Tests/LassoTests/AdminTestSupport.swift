import Foundation
import Synchronization
import Testing
@testable import Lasso
import Supervision

/// An `AdminControl` that records every call with its arguments and answers from fixed data,
/// so tests see exactly what reached the control. Chain `ethereum` and provider
/// `ethereum_ankr` exist; anything else is unknown. `reload` can be held until released.
final class RecordingAdminControl: AdminControl {
    private let recorded = Mutex<[String]>([])
    private let reloadGate = Mutex<(held: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    private let reloadFailure = Mutex<AdminError?>(nil)

    /// Makes `reload` throw `error`.
    func failReload(with error: AdminError) { reloadFailure.withLock { $0 = error } }

    /// Every call so far, e.g. `["tree", "status ethereum"]`.
    var calls: [String] { recorded.withLock { $0 } }

    /// Makes `reload` wait until ``releaseReload()``.
    func holdReload() { reloadGate.withLock { $0.held = true } }

    func releaseReload() {
        let waiters = reloadGate.withLock { gate in
            gate.held = false
            defer { gate.waiters = [] }
            return gate.waiters
        }
        waiters.forEach { $0.resume() }
    }

    private func record(_ call: String) { recorded.withLock { $0.append(call) } }

    private func requireChain(_ chain: String) throws {
        guard chain == "ethereum" else { throw AdminError.unknownChain(chain) }
    }

    func tree() async -> TreeSnapshot {
        record("tree")
        return AdminSamples.tree
    }

    func chains() async -> [AdminChainSummary] {
        record("chains")
        return AdminSamples.chains
    }

    func status(chain: String) async throws -> ChainStatus {
        record("status \(chain)")
        try requireChain(chain)
        return AdminSamples.status
    }

    func startChain(_ chain: String) async throws {
        record("start-chain \(chain)")
        try requireChain(chain)
        throw AdminError.chainAlreadyRunning(chain)
    }

    func stopChain(_ chain: String) async throws {
        record("stop-chain \(chain)")
        try requireChain(chain)
    }

    func restartChain(_ chain: String) async throws {
        record("restart-chain \(chain)")
        try requireChain(chain)
    }

    func reload() async throws -> ConfigDiff {
        record("reload")
        await withCheckedContinuation { continuation in
            let held = reloadGate.withLock { gate in
                if gate.held { gate.waiters.append(continuation) }
                return gate.held
            }
            if !held { continuation.resume() }
        }
        if let failure = reloadFailure.withLock({ $0 }) { throw failure }
        return AdminSamples.diff
    }

    func kill(path: String) async throws -> PID {
        record("kill \(path)")
        guard path.hasPrefix("Application/") else { throw AdminError.unknownPath(path) }
        return AdminSamples.pid(42)
    }

    func breaker(chain: String, provider: String, transport: TransportKind, action: BreakerAction) async throws
        -> BreakerPhase {
        record("breaker \(chain) \(provider) \(transport.rawValue) \(action.rawValue)")
        try requireChain(chain)
        guard provider == "ethereum_ankr" else { throw AdminError.unknownProvider(chain: chain, provider: provider) }
        return action == .open ? .forcedOpen : .closed
    }
}

/// Fixed results for the test double and the renderer tests.
enum AdminSamples {
    /// PIDs print as `<0.N.0>` and decode from that text; tests cannot allocate them.
    static func pid(_ value: Int) -> PID {
        try! JSONDecoder().decode(PID.self, from: Data("\"<0.\(value).0>\"".utf8))
    }

    static func node(_ name: String, _ pid: Int?, _ kind: TreeSnapshot.Kind, _ strategy: String? = nil,
                     _ status: TreeSnapshot.Status = .running, restarts: Int = 0, uptime: Double? = 3725,
                     children: [TreeSnapshot] = []) -> TreeSnapshot {
        TreeSnapshot(name: name, pid: pid.map(self.pid), kind: kind, strategy: strategy, status: status, restarts: restarts,
                     mailboxDepth: 0, uptimeSeconds: uptime, children: children)
    }

    static let tree = node("Application", 1, .supervisor, "one_for_one", children: [
        node("BenchmarkStore", 2, .worker),
        node("ChainsSupervisor", 3, .supervisor, "dynamic", uptime: 3724, children: [
            node("ChainSupervisor(ethereum)", 4, .supervisor, "one_for_one", .restarting, restarts: 2, uptime: 45, children: [
                node("ProviderPool", nil, .worker, nil, .stopped, uptime: nil),
            ]),
        ]),
        node("Endpoint", 6, .worker, uptime: 59.9),
    ])

    static let chains = [
        AdminChainSummary(chain: "ethereum", chainId: 1, name: "Ethereum Mainnet", running: true,
                          providers: ["ethereum_ankr", "ethereum_llama"]),
        AdminChainSummary(chain: "base", chainId: 8453, name: "Base", running: false, providers: ["base_public"]),
    ]

    static let status = ChainStatus(chain: "ethereum", chainId: 1, running: true, bestHead: 100, providers: [
        ProviderStatus(id: "ethereum_ankr", availability: .up, head: 100, lag: 0, consecutiveFailures: 0,
                       lastError: nil, breakers: ["http": "closed", "ws": "open"], coolingDown: false,
                       score: 12.5, successRate: 0.995, p50Ms: 41.25),
        ProviderStatus(id: "ethereum_llama", availability: .lagging, head: 97, lag: 3, consecutiveFailures: 1,
                       lastError: "timeout", breakers: ["http": "half_open"], coolingDown: false,
                       score: nil, successRate: nil, p50Ms: nil),
    ])

    static let diff = try! JSONDecoder().decode(ConfigDiff.self, from: Data(
        #"{"added":["base"],"removed":["polygon"],"changed":["ethereum"],"unchanged":["arbitrum"]}"#.utf8))
}

/// A fresh socket path under /tmp (short enough for `sun_path`); removed by `cleanUp`.
func temporarySocketPath() -> String {
    "/tmp/lasso-admin-test-\(UInt32.random(in: 0...UInt32.max)).sock"
}

/// Leaves a socket file nobody listens on at `path`, as a crashed lassod would.
func makeStaleSocket(at path: String) {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var address = AdminSocketFile.address(path)
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    close(fd)
}
