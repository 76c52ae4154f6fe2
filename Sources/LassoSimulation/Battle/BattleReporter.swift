import Foundation

extension Battle {
    /// Writes a report to a directory: `report.json` (the `Report`), `report.md` for people, and
    /// `latency.svg`, latency over time with the chaos events marked.
    public enum Reporter {
        public static func write(_ report: Report, to directory: String) throws {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: directory + "/report.json"))
            try Data(markdown(report).utf8).write(to: URL(fileURLWithPath: directory + "/report.md"))
            try Data(svg(report).utf8).write(to: URL(fileURLWithPath: directory + "/latency.svg"))
            if report.streamTotals != nil {
                try Data(streamsSVG(report).utf8).write(to: URL(fileURLWithPath: directory + "/streams.svg"))
            }
        }

        /// The files `write` produces for `report`.
        public static func files(_ report: Report) -> [String] {
            ["report.md", "report.json", "latency.svg"] + (report.streamTotals == nil ? [] : ["streams.svg"])
        }

        /// Reads back a report.json.
        public static func read(from directory: String) throws -> Report {
            try JSONDecoder().decode(Report.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/report.json")))
        }

        static func ms(_ value: Double) -> String { String(format: "%.1f", value) }

        /// How much of the machine the run used, e.g. "CPU 34.1 s in 31.2 s of load: 1.09 of 2 cores".
        static func cpu(_ report: Report) -> String {
            let seconds = max(report.durationMs / 1_000, 0.001)
            return String(format: "CPU %.1f s in %.1f s of load: %.2f of %d cores", report.cpuSeconds, seconds,
                          report.cpuSeconds / seconds, report.cores)
        }

        /// The summary table `lassod battle` prints.
        public static func summary(_ report: Report) -> String {
            var lines = ["scenario \(report.scenario) (seed \(report.seed), \(Int(report.durationMs / 1000)) s): "
                         + (report.passed ? "PASSED" : "FAILED"),
                         String(format: "  requests %d, success rate %.6f, failovers %d", report.requests,
                                report.successRate, report.failovers),
                         "  latency ms  p50 \(ms(report.latency.p50))  p95 \(ms(report.latency.p95))  "
                         + "p99 \(ms(report.latency.p99))  max \(ms(report.latency.max))",
                         "  in lassod   p50 \(ms(report.lassodLatency.p50))  p95 \(ms(report.lassodLatency.p95))  "
                         + "p99 \(ms(report.lassodLatency.p99))  max \(ms(report.lassodLatency.max))",
                         "  " + cpu(report)]
            for chain in report.chains {
                lines.append(String(format: "  %@: %d requests, success %.6f, p95 %@ ms", chain.chain, chain.requests,
                                    chain.successRate, ms(chain.latency.p95)))
            }
            if let totals = report.streamTotals {
                lines.append("  subscribers \(totals.clients), streams \(totals.streams) (\(totals.intactStreams) intact), "
                             + "notifications \(totals.counts.received); missing \(totals.counts.missing), twice \(totals.counts.duplicates), "
                             + "out of order \(totals.counts.outOfOrder), not the chain's \(totals.counts.foreign), broken links "
                             + "\(totals.counts.brokenLinks), sockets dropped \(totals.counts.disconnects)")
                lines.append("  subscription failovers \(totals.failoversCompleted) of \(totals.failovers) completed, ms "
                             + "p50 \(ms(totals.failoverLatency.p50))  p99 \(ms(totals.failoverLatency.p99))  "
                             + "max \(ms(totals.failoverLatency.max)); backfilled \(totals.backfilled), skipped \(totals.skipped)")
                lines.append("  header delay ms  p50 \(ms(totals.delay.p50))  p99 \(ms(totals.delay.p99))  max \(ms(totals.delay.max))")
            }
            for verdict in report.verdicts {
                lines.append("  [\(verdict.passed ? "pass" : "FAIL")] \(verdict.slo): \(verdict.detail)")
            }
            return lines.joined(separator: "\n")
        }

        public static func markdown(_ report: Report) -> String {
            var text = "# Battle report: \(report.scenario)\n\n"
            if !report.summary.isEmpty { text += report.summary + "\n\n" }
            text += "**\(report.passed ? "PASSED" : "FAILED")** — seed \(report.seed), "
                + "\(Int(report.durationMs)) ms of load.\n\n## SLOs\n\n| SLO | verdict | measured |\n|---|---|---|\n"
            for verdict in report.verdicts {
                text += "| \(verdict.slo) | \(verdict.passed ? "pass" : "**FAIL**") | \(verdict.detail) |\n"
            }
            text += "\n## Requests\n\n| chain | requests | succeeded | success rate | p50 ms | p95 ms | p99 ms | max ms |\n"
                + "|---|---|---|---|---|---|---|---|\n"
            let all = Report.ChainSummary(chain: "all", requests: report.requests, succeeded: report.succeeded,
                                          successRate: report.successRate, latency: report.latency)
            for chain in report.chains + [all] {
                text += "| \(chain.chain) | \(chain.requests) | \(chain.succeeded) | "
                    + String(format: "%.6f", chain.successRate)
                    + " | \(ms(chain.latency.p50)) | \(ms(chain.latency.p95)) | \(ms(chain.latency.p99)) | \(ms(chain.latency.max)) |\n"
            }
            let own = report.lassodLatency
            text += "\nInside lassod (its log's end_to_end_latency_ms): p50 \(ms(own.p50)) ms, p95 \(ms(own.p95)) ms, "
                + "p99 \(ms(own.p99)) ms, max \(ms(own.max)) ms.\n\n\(cpu(report)) (lassod, the providers and the load "
                + "generator share them).\n"
            text += "\nFailovers (answered after a failed attempt, from lassod's request log): \(report.failovers)\n"
            if !report.servedBy.isEmpty {
                text += "\nServed by: " + report.servedBy.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                    .joined(separator: ", ") + "\n"
            }
            if !report.failures.isEmpty {
                text += "\n## Failures\n\n| reason | count |\n|---|---|\n"
                for (reason, count) in report.failures.sorted(by: { $0.value > $1.value }) { text += "| \(reason) | \(count) |\n" }
            }
            if !report.faults.isEmpty {
                text += "\n## Chaos\n\n| at ms | until ms | fault | recovery ms |\n|---|---|---|---|\n"
                for fault in report.faults {
                    text += "| \(Int(fault.atMs)) | \(Int(fault.endMs)) | \(fault.description) | \(Int(fault.recoveryMs)) |\n"
                }
            }
            if !report.treeChecks.isEmpty {
                text += "\n## Tree after each kill\n\n| at ms | node | whole again after ms |\n|---|---|---|\n"
                for check in report.treeChecks {
                    text += "| \(Int(check.atMs)) | \(check.path) | \(check.wholeAfterMs.map { String(Int($0)) } ?? "**not whole**") |\n"
                }
            }
            if !report.rateLimitWindows.isEmpty {
                text += "\n## Retry-After\n\n| 429s from ms | provider | Retry-After ms | lassod cooling from ms | "
                    + "arrivals until it ran out | client requests after lassod knew |\n|---|---|---|---|---|---|\n"
                for window in report.rateLimitWindows {
                    text += "| \(Int(window.switchedAtMs)) | \(window.provider) | \(Int(window.retryAfterMs)) | "
                        + "\(window.knownAtMs.map { String(Int($0)) } ?? "**never**") | \(window.arrivals) | "
                        + "\(window.requestsDuringWindow) |\n"
                }
            }
            if let totals = report.streamTotals {
                text += streamsMarkdown(report, totals)
            }
            if !report.restarts.isEmpty {
                text += "\n## Restarts (supervision events)\n\n| node | restarts |\n|---|---|\n"
                for (node, count) in report.restarts.sorted(by: { $0.key < $1.key }) { text += "| \(node) | \(count) |\n" }
            }
            text += "\n![latency over time](latency.svg)\n"
            return text
        }

        /// Latency over time: p50 and p95 per slice, the max as dots, failures as red ticks at the
        /// bottom, each fault a dashed orange line from injection (labelled) to restore.
        public static func svg(_ report: Report) -> String {
            let frame = ChartFrame(duration: max(report.durationMs, 1),
                                   ceiling: max(10, (report.timeline.map(\.p95).max() ?? 0) * 1.2))
            let (x, y, top, plotHeight) = (frame.x, frame.y, frame.top, frame.plotHeight)
            func polyline(_ values: [(Double, Double)], _ color: String) -> String {
                let points = values.map { String(format: "%.1f,%.1f", x($0.0), y($0.1)) }.joined(separator: " ")
                return "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(points)\"/>"
            }
            var parts = frame.opening(title: "\(escape(report.scenario)): latency over time "
                                          + "(ms; blue p50, purple p95, grey max; red ticks failures; orange chaos)")
            parts += frame.faultMarkers(report.faults, spans: true)
            let buckets = report.timeline
            parts.append(polyline(buckets.map { ($0.startMs, $0.p50) }, "#1f6fd0"))
            parts.append(polyline(buckets.map { ($0.startMs, $0.p95) }, "#7a2fbf"))
            for bucket in buckets {
                parts.append(String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.5\" fill=\"#888\"/>", x(bucket.startMs), y(bucket.max)))
                if bucket.failures > 0 {
                    parts.append(String(format: "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"red\" stroke-width=\"2\"/>",
                                        x(bucket.startMs), top + plotHeight, x(bucket.startMs), top + plotHeight - 10))
                }
            }
            parts.append("</svg>")
            return parts.joined(separator: "\n") + "\n"
        }

        static func streamsMarkdown(_ report: Report, _ totals: Report.StreamTotals) -> String {
            var text = "\n## Subscription streams\n\n\(totals.clients) WebSocket clients, \(totals.streams) streams, "
                + "\(totals.intactStreams) intact (every block once, in order, parent-linked, the chain's own; exactly the "
                + "chain's matching logs), \(totals.counts.received) notifications.\n\n"
                + "| missing | twice | out of order | not the chain's | broken parent links | sockets dropped |\n"
                + "|---|---|---|---|---|---|\n"
                + "| \(totals.counts.missing) | \(totals.counts.duplicates) | \(totals.counts.outOfOrder) | \(totals.counts.foreign) | \(totals.counts.brokenLinks) | "
                + "\(totals.counts.disconnects) |\n\n"
                + "Header delay (arrival − block made): p50 \(ms(totals.delay.p50)) ms, p99 \(ms(totals.delay.p99)) ms, "
                + "max \(ms(totals.delay.max)) ms. lassod backfilled \(totals.backfilled) blocks over HTTP and skipped "
                + "\(totals.skipped).\n"
            let broken = report.streams.filter { !$0.intact }
            if !broken.isEmpty {
                text += "\n| client | stream | from | through | received | missing | twice | problems |\n"
                    + "|---|---|---|---|---|---|---|---|\n"
                for stream in broken.prefix(20) {
                    let counts = stream.counts
                    text += "| \(stream.client) | \(stream.kind.rawValue) | \(stream.from.map(String.init) ?? "—") | "
                        + "\(stream.through) | \(counts.received) | \(counts.missing) | \(counts.duplicates) | "
                        + stream.problems.joined(separator: "; ") + " |\n"
                }
                if broken.count > 20 { text += "\n… and \(broken.count - 20) more streams with problems (report.json).\n" }
            }
            if !report.subscriptionFailovers.isEmpty {
                text += "\n### Failovers (lassod's subscription.failover.* log)\n\n"
                    + "| at ms | key | reason | from → to | duration ms | backfilled | skipped |\n|---|---|---|---|---|---|---|\n"
                for failover in report.subscriptionFailovers {
                    text += "| \(Int(failover.atMs)) | \(failover.key) | \(failover.reason ?? "") | "
                        + "\(failover.from ?? "—") → \(failover.to ?? "**never completed**") | "
                        + "\(failover.durationMs.map { String(Int($0)) } ?? "—") | \(failover.backfilled ?? 0) | \(failover.skipped ?? 0) |\n"
                }
            }
            text += "\n![stream continuity](streams.svg)\n"
            return text
        }

        /// Stream continuity over time: per slice, the latest a header arrived after its block
        /// was made (worst client), failovers as blue lines (started) and bars (until completed),
        /// faults as in `svg`.
        public static func streamsSVG(_ report: Report) -> String {
            let frame = ChartFrame(duration: max(report.durationMs, 1),
                                   ceiling: max(100, (report.streamTimeline.map(\.maxDelayMs).max() ?? 0) * 1.2))
            let (x, y, top, plotHeight, duration) = (frame.x, frame.y, frame.top, frame.plotHeight, frame.duration)
            var parts = frame.opening(title: "\(escape(report.scenario)): header delay, worst "
                                          + "client per slice (ms; blue failovers, orange chaos)")
            parts += frame.faultMarkers(report.faults, spans: false)
            for failover in report.subscriptionFailovers {
                let end = failover.atMs + (failover.durationMs ?? (duration - failover.atMs))
                parts.append(String(format: "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#1f6fd0\" opacity=\"0.6\"/>",
                                    x(failover.atMs), top, x(failover.atMs), top + plotHeight))
                parts.append(String(format: "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"6\" fill=\"%@\" opacity=\"0.6\"/>",
                                    x(failover.atMs), top + plotHeight - 6, max(1, x(end) - x(failover.atMs)),
                                    failover.completed ? "#1f6fd0" : "red"))
            }
            let points = report.streamTimeline.map { String(format: "%.1f,%.1f", x($0.startMs), y($0.maxDelayMs)) }
            parts.append("<polyline fill=\"none\" stroke=\"#7a2fbf\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>")
            parts.append("</svg>")
            return parts.joined(separator: "\n") + "\n"
        }

        static func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
        }
    }
}
