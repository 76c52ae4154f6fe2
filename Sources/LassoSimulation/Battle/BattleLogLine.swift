import Lasso

extension Battle {
    /// Reads the few fields a battle needs from one of lassod's JSON log lines, with the
    /// allocation-free `JSONCursor` rather than Foundation: the `Collector` calls it on lassod's
    /// request path, once per request.
    enum LogLine {
        enum Event: Equatable {
            case routed(Observations.Routed)
            case supervision(Observations.Supervision)
            case subscription(Observations.SubscriptionEvent)
        }

        /// The `rpc.request.completed`, `supervision.*` or `subscription.*` event of `line`, stamped `atMs`; nil for
        /// any other line, or one that is not a JSON object.
        static func parse(_ line: [UInt8], atMs: Double) -> Event? {
            line.withUnsafeBytes { bytes -> Event? in
                var fields = Fields()
                var cursor = JSONCursor(bytes, range: 0..<bytes.count)
                cursor.skipWhitespace()
                do throws(JSONCursor.SyntaxError) {
                    try cursor.scanObject { key, _, value, kind in fields.take(bytes, key: key, value: value, kind: kind) }
                } catch {
                    return nil
                }
                return fields.event(atMs: atMs)
            }
        }

        /// The members read, top level and one level into `routing`, `timing` and `response`.
        private struct Fields {
            var event: String?
            var chain: String?
            var selectedProvider: String?
            var retries = 0
            var status: String?
            var endToEndMs: Double?
            var supervisor: String?
            var child: String?
            // subscription.* events
            var streamKey: String?
            var reason: String?
            var from: String?
            var to: String?
            var durationMs: Double?
            var count: Int?
            var backfilled: Int?
            var skipped: Int?

            static func text(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
                String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            }

            static func string(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ kind: JSONCursor.ValueKind) -> String? {
                kind == .string ? JSONRPCScanner.decodeString(bytes, token: range) : nil
            }

            /// Whether the key token at `key` (quotes included) is `name`, without making a String.
            static func named(_ bytes: UnsafeRawBufferPointer, _ key: Range<Int>, _ name: StaticString) -> Bool {
                let inner = key.lowerBound + 1..<key.upperBound - 1
                return inner.count == name.utf8CodeUnitCount
                    && UnsafeRawBufferPointer(rebasing: bytes[inner]).elementsEqual(
                        UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            }

            /// Calls `visit` with each member of the object at `range`.
            static func members(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>,
                                _ visit: (Range<Int>, Range<Int>, JSONCursor.ValueKind) -> Void) {
                var cursor = JSONCursor(bytes, range: range)
                try? cursor.scanObject { key, _, value, kind in visit(key, value, kind) }
            }

            mutating func take(_ bytes: UnsafeRawBufferPointer, key: Range<Int>, value: Range<Int>, kind: JSONCursor.ValueKind) {
                func named(_ name: StaticString) -> Bool { Self.named(bytes, key, name) }
                if named("event") {
                    event = Self.string(bytes, value, kind)
                } else if named("chain") {
                    chain = Self.string(bytes, value, kind)
                } else if named("supervisor") {
                    supervisor = Self.string(bytes, value, kind)
                } else if named("child") {
                    child = Self.string(bytes, value, kind)
                } else if named("key") {
                    streamKey = Self.string(bytes, value, kind)
                } else if named("reason") {
                    reason = Self.string(bytes, value, kind)
                } else if named("from") {
                    from = Self.string(bytes, value, kind)
                } else if named("to") {
                    to = Self.string(bytes, value, kind)
                } else if named("duration_ms"), kind == .number {
                    durationMs = Double(Self.text(bytes, value))
                } else if named("count"), kind == .number {
                    count = Int(Self.text(bytes, value))
                } else if named("backfilled"), kind == .number {
                    backfilled = Int(Self.text(bytes, value))
                } else if named("skipped"), kind == .number {
                    skipped = Int(Self.text(bytes, value))
                } else if named("routing"), kind == .object {
                    Self.members(bytes, value) { name, member, memberKind in
                        if Self.named(bytes, name, "retries"), memberKind == .number {
                            retries = Int(Self.text(bytes, member)) ?? 0
                        } else if Self.named(bytes, name, "selected_provider"), memberKind == .object {
                            Self.members(bytes, member) { field, id, idKind in
                                if Self.named(bytes, field, "id") { selectedProvider = Self.string(bytes, id, idKind) }
                            }
                        }
                    }
                } else if named("timing"), kind == .object {
                    Self.members(bytes, value) { name, member, memberKind in
                        if Self.named(bytes, name, "end_to_end_latency_ms"), memberKind == .number {
                            endToEndMs = Double(Self.text(bytes, member))
                        }
                    }
                } else if named("response"), kind == .object {
                    Self.members(bytes, value) { name, member, memberKind in
                        if Self.named(bytes, name, "status") { status = Self.string(bytes, member, memberKind) }
                    }
                }
            }

            func event(atMs: Double) -> Event? {
                guard let event else { return nil }
                if event == RequestLogLine.event {
                    return .routed(Observations.Routed(atMs: atMs, chain: chain ?? "", selectedProvider: selectedProvider,
                                                       retries: retries, succeeded: status == "success",
                                                       endToEndMs: endToEndMs))
                }
                if event.hasPrefix("subscription.") {
                    return .subscription(Observations.SubscriptionEvent(
                        atMs: atMs, kind: String(event.dropFirst("subscription.".count)), chain: chain ?? "",
                        key: streamKey ?? "", reason: reason, fromProvider: from, toProvider: to, durationMs: durationMs,
                        count: count ?? backfilled, skipped: skipped))
                }
                guard event.hasPrefix("supervision.") else { return nil }
                return .supervision(Observations.Supervision(atMs: atMs, kind: String(event.dropFirst("supervision.".count)),
                                                             supervisor: supervisor ?? "", child: child))
            }
        }
    }
}
