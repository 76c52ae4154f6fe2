import Testing

/// The transport suites whose tests block on raw sockets are nested here and run one test at a
/// time: their bodies are synchronous, and the cooperative pool they block has one thread per
/// core. Serialized, they hold at most one of them while every other suite runs in parallel
/// beside them. The HTTP client suites are not nested: their tests await the client instead of
/// blocking, so they run in parallel like any other.
@Suite(.serialized) struct TransportTests {}
