import Supervision

/// Turns what a chain's processes publish on its `PubSub` topic into log lines:
/// `breaker.transition` (warning when a breaker opens, debug when one starts) and
/// `provider.availability` (warning when a provider goes down).
///
/// The subscription belongs to the chain's supervisor process, so it lasts exactly as long as
/// the chain runs. The handler only writes a line to the log sink, which never blocks, so it
/// is safe on the publisher's thread.
public enum ChainEventLog {
    /// Subscribes `logger` to `chain`'s topic for as long as `process` lives.
    public static func subscribe(chain: String, pubsub: PubSub, process: ProcessRef, logger: Logger) throws {
        try pubsub.subscribe(PubSub.topic(chain: chain), process: process) { message in log(message, to: logger) }
    }

    /// Writes the line for `message`; messages of other kinds are not logged here.
    static func log(_ message: PubSub.Message, to logger: Logger) {
        let fields = message.fields
        func field(_ key: String) -> LogValue { fields[key].map(LogValue.string) ?? .null }
        switch message.event {
        case "breaker.transition":
            logger.log(level(breakerTo: fields["to"], from: fields["from"]), message.event, [
                "chain": field("chain"), "provider": field("provider"), "transport": field("transport"),
                "from": field("from"), "to": field("to"),
            ])
        case "provider.availability":
            logger.log(fields["to"] == ProviderAvailability.down.rawValue ? .warning : .info, message.event, [
                "chain": field("chain"), "provider": field("provider"), "from": field("from"), "to": field("to"),
            ])
        default:
            break
        }
    }

    /// A breaker that stops admitting traffic is worth a warning; one that starts, only debug.
    static func level(breakerTo to: String?, from: String?) -> ObservabilityConfig.LogLevel {
        if from == "none" { return .debug }
        if let to, let phase = BreakerPhase(rawValue: to), !phase.admitsTraffic { return .warning }
        return .info
    }
}
