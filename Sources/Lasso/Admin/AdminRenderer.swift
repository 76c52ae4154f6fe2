import Foundation
import Supervision

/// Turns admin results into what `lassod ctl` prints for a person: the tree drawn with
/// box-drawing characters, `chains` and `status` as aligned tables, a one-line confirmation
/// for the rest. Pure: same result, same text.
///
/// ```
/// NAME                              PID      KIND                    STATUS   RESTARTS  UPTIME
/// Application                       <0.1.0>  supervisor one_for_one  running  0         2m05s
/// ├── BenchmarkStore                <0.2.0>  worker                  running  0         2m05s
/// └── ChainsSupervisor              <0.3.0>  supervisor dynamic      running  0         2m05s
///     └── ChainSupervisor(ethereum) <0.4.0>  supervisor one_for_one  running  1         12s
/// ```
/// Colours (ANSI) mark states only when `color` is set, which `lassod ctl` does only when
/// stdout is a terminal; columns are aligned on the text without them.
public enum AdminRenderer {
    /// The text for the result of command `name` (no trailing newline). A result that does not
    /// decode as that command's result is shown as its JSON.
    public static func render(command name: String, result: Data, color: Bool) -> String {
        let decoder = JSONDecoder()
        do {
            switch name {
            case "tree": return tree(try decoder.decode(TreeSnapshot.self, from: result), color: color)
            case "chains": return chains(try decoder.decode([AdminChainSummary].self, from: result), color: color)
            case "status": return status(try decoder.decode(ChainStatus.self, from: result), color: color)
            case "restart-chain", "stop-chain", "start-chain":
                let state = try decoder.decode(AdminChainState.self, from: result)
                let verb = ["restart-chain": "restarted", "stop-chain": "stopped"][name] ?? "started"
                return "\(verb) chain \(state.chain) (\(state.running ? "running" : "stopped"))"
            case "reload": return reload(try decoder.decode(ConfigDiff.self, from: result))
            case "kill":
                let killed = try decoder.decode(AdminKillResult.self, from: result)
                return "killed \(killed.killed) at \(killed.path); its supervisor restarts it"
            case "breaker":
                let breaker = try decoder.decode(BreakerState.self, from: result)
                return "breaker \(breaker.chain)/\(breaker.provider)/\(breaker.transport.rawValue) is now "
                    + paint(breaker.phase.rawValue, breakerColor(breaker.phase.rawValue), color)
            default: break
            }
        } catch {}
        return String(decoding: result, as: UTF8.self)
    }

    /// The tree as a table whose first column draws the hierarchy.
    static func tree(_ root: TreeSnapshot, color: Bool) -> String {
        var rows: [[Cell]] = [["NAME", "PID", "KIND", "STATUS", "RESTARTS", "UPTIME"].map { Cell($0) }]
        func visit(_ node: TreeSnapshot, prefix: String, branch: String) {
            let kind = node.strategy.map { "\(node.kind.rawValue) \($0)" } ?? node.kind.rawValue
            rows.append([Cell(prefix + branch + node.name), Cell(node.pid?.description ?? "-"), Cell(kind),
                         Cell(node.status.rawValue, color: statusColor(node.status)), Cell(String(node.restarts)),
                         Cell(duration(node.uptimeSeconds))])
            let childPrefix = prefix + (branch == "├── " ? "│   " : branch.isEmpty ? "" : "    ")
            for (index, child) in node.children.enumerated() {
                visit(child, prefix: childPrefix, branch: index == node.children.count - 1 ? "└── " : "├── ")
            }
        }
        visit(root, prefix: "", branch: "")
        return table(rows, color: color)
    }

    static func chains(_ chains: [AdminChainSummary], color: Bool) -> String {
        var rows: [[Cell]] = [["CHAIN", "CHAIN ID", "NAME", "RUNNING", "PROVIDERS"].map { Cell($0) }]
        for chain in chains {
            rows.append([Cell(chain.chain), Cell(String(chain.chainId)), Cell(chain.name),
                         Cell(chain.running ? "yes" : "no", color: chain.running ? .green : .red),
                         Cell(chain.providers.joined(separator: ", "))])
        }
        return table(rows, color: color)
    }

    static func status(_ status: ChainStatus, color: Bool) -> String {
        let head = (status.bestHead.map { ", best head \($0)" } ?? "") + (status.region.map { ", region \($0)" } ?? "")
        let title = "\(status.chain) (chain id \(status.chainId)): "
            + paint(status.running ? "running" : "stopped", status.running ? .green : .red, color) + head
        var rows: [[Cell]] = [["PROVIDER", "AVAILABILITY", "HEAD", "LAG", "HTTP", "WS", "SCORE", "SUCCESS", "P50 MS",
                               "FAILURES"].map { Cell($0) }]
        for provider in status.providers {
            let http = provider.breakers[TransportKind.http.rawValue] ?? "-"
            let webSocket = provider.breakers[TransportKind.ws.rawValue] ?? "-"
            rows.append([Cell(provider.id),
                         Cell(provider.availability.rawValue, color: availabilityColor(provider.availability)),
                         Cell(provider.head.map(String.init) ?? "-"), Cell(provider.lag.map(String.init) ?? "-"),
                         Cell(http, color: breakerColor(http)), Cell(webSocket, color: breakerColor(webSocket)),
                         Cell(number(provider.score)), Cell(provider.successRate.map { number($0 * 100) + "%" } ?? "-"),
                         Cell(number(provider.p50Ms)), Cell(String(provider.consecutiveFailures))])
        }
        var text = title + "\n" + table(rows, color: color)
        guard !status.subscriptions.isEmpty else { return text }
        var streams: [[Cell]] = [["SUBSCRIPTION", "PROVIDER", "PHASE", "CLIENTS", "LAST BLOCK", "FAILOVERS", "BACKFILLED",
                                  "SKIPPED", "LAST FAILOVER"].map { Cell($0) }]
        for stream in status.subscriptions {
            let last = stream.lastFailover.map { failover in
                "\(failover.reason) \(failover.from ?? "-")→\(failover.to ?? "-")"
                    + (failover.durationMs.map { " \($0) ms" } ?? " running")
            } ?? "-"
            streams.append([Cell(String(stream.key.prefix(60))), Cell(stream.provider ?? "-"),
                            Cell(stream.phase, color: stream.phase == "live" ? .green : .yellow),
                            Cell("\(stream.clients)" + (stream.pending > 0 ? "+\(stream.pending)" : "")),
                            Cell(stream.lastBlock.map(String.init) ?? "-"), Cell(String(stream.failovers)),
                            Cell(String(stream.backfilled)), Cell(String(stream.skipped)), Cell(last)])
        }
        text += "\n" + table(streams, color: color)
        return text
    }

    static func reload(_ diff: ConfigDiff) -> String {
        guard !diff.isEmpty else { return "reloaded: no chain changed (\(diff.unchanged.count) unchanged)" }
        let parts = [("added", diff.added), ("removed", diff.removed), ("restarted", diff.changed)]
            .filter { !$0.1.isEmpty }
            .map { "\($0.0) \($0.1.joined(separator: ", "))" }
        return "reloaded: " + parts.joined(separator: "; ") + " (\(diff.unchanged.count) unchanged)"
    }

    /// `45s`, `12m03s`, `3h04m`, `2d03h`; `-` when not running.
    static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return "-" }
        let total = Int(min(seconds, 1e12))
        let (days, hours, minutes, secs) = (total / 86_400, total / 3_600 % 24, total / 60 % 60, total % 60)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        if days > 0 { return "\(days)d\(two(hours))h" }
        if hours > 0 { return "\(hours)h\(two(minutes))m" }
        if minutes > 0 { return "\(minutes)m\(two(secs))s" }
        return "\(secs)s"
    }

    private static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "-" }
        return String(format: "%.2f", value)
    }

    // MARK: Tables and colours

    enum Color: String {
        case green = "32"
        case yellow = "33"
        case red = "31"
    }

    struct Cell: ExpressibleByStringLiteral {
        let text: String
        let color: Color?

        init(_ text: String, color: Color? = nil) {
            self.text = text
            self.color = color
        }

        init(stringLiteral text: String) { self.init(text) }
    }

    /// Left-aligned columns two spaces apart, no trailing spaces; the first row is the header.
    static func table(_ rows: [[Cell]], color: Bool) -> String {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].text.count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let padding = column == row.count - 1 ? "" : String(repeating: " ", count: widths[column] - cell.text.count)
                return paint(cell.text, cell.color, color) + padding
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    private static func paint(_ text: String, _ tint: Color?, _ enabled: Bool) -> String {
        guard enabled, let tint else { return text }
        return "\u{1B}[\(tint.rawValue)m\(text)\u{1B}[0m"
    }

    private static func statusColor(_ status: TreeSnapshot.Status) -> Color {
        switch status {
        case .running: .green
        case .restarting: .yellow
        case .stopped: .red
        }
    }

    private static func availabilityColor(_ availability: ProviderAvailability) -> Color? {
        switch availability {
        case .up: .green
        case .lagging, .degraded: .yellow
        case .down: .red
        case .unknown: nil
        }
    }

    private static func breakerColor(_ phase: String) -> Color? {
        switch BreakerPhase(rawValue: phase) {
        case .closed: .green
        case .halfOpen: .yellow
        case .open, .forcedOpen: .red
        case nil: nil
        }
    }
}
