/// Told of every request `RPCEndpoint` finished, after its log line and its counters: the hook
/// the dashboard's live feed hangs on.
///
/// Called on the thread that finished the request (the event loop, for most), once per routed
/// request and batch element, so an observer must only look at the context and hand on what
/// it keeps — no I/O, no waiting, no allocation when nobody is watching.
public protocol RequestObserver: Sendable {
    func requestCompleted(_ context: RequestContext)
}
