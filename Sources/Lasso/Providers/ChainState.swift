/// One publication of a chain's board: everything the request path reads about the chain, as
/// one immutable value.
///
/// `snapshot` is what `Selection` orders; `links` and `channels` are laid out by channel slot
/// (`2 × provider index + transport`, in the snapshot's provider order), so a candidate that
/// selection returned as a slot finds its health, route and breaker by index:
///
/// ```swift
/// let state = board.current
/// for slot in Selection.orderedSlots(state.snapshot, method: "eth_call", strategy: .fastest, now: now) {
///     let link = state.links[slot]          // route and breaker, resolved when published
///     let health = state.health(at: slot)   // what selection saw
/// }
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public final class ChainState: Sendable {
    /// Selection's input.
    public let snapshot: ChainSnapshot
    /// Per slot, how to reach the channel and its breaker.
    public let links: [ChannelLink]
    /// Per slot, the channel (a provider without `ws_url` still has a slot for `ws`, never
    /// selected: its snapshot has no WebSocket health).
    public let channels: [Channel]

    init(snapshot: ChainSnapshot, links: [ChannelLink], channels: [Channel]) {
        self.snapshot = snapshot
        self.links = links
        self.channels = channels
    }

    /// The health of the channel at `slot`; `nil` for a WebSocket that is not up.
    @inline(__always)
    public func health(at slot: Int) -> ChannelHealth? {
        snapshot.providers[slot >> 1].health(of: ChainSnapshot.transport(ofSlot: slot))
    }

    /// The slot of `provider`'s `transport` channel; `nil` for a provider the chain does not have.
    /// A search: for the rare callers that start from a provider id (a pinned provider, a probe).
    public func slot(of provider: String, transport: TransportKind) -> Int? {
        snapshot.providers.firstIndex { $0.id == provider }.map { ChainSnapshot.slot(provider: $0, transport: transport) }
    }
}
