/// One JSON-RPC request (a single object, or one element of a batch) on its way upstream.
public struct PipelineRequest: Sendable {
    /// The running chain: its config, its published state, its round-robin counter.
    public var board: ChainStateBoard
    /// The request object exactly as the client sent it; forwarded as is.
    public var body: [UInt8]
    /// What the scanner found in `body` (ranges index into `body`).
    public var head: JSONRPCRequestHead
    public var strategy: SelectionStrategy
    /// `POST /rpc/provider/:id/:chain`: only this provider, no failover.
    public var pinnedProvider: String?
    /// Only HTTP channels: lassod's own requests leave upstream WebSockets to subscriptions.
    public var httpOnly = false
    /// The request's observability record; the pipeline fills in selection, attempts and result.
    public var context: RequestContext

    /// - Parameters:
    ///   - requestID: from the endpoint's `RequestIDGenerator`.
    ///   - startedAtNanos: when the request arrived, on the runtime clock.
    public init(board: ChainStateBoard, body: [UInt8], head: JSONRPCRequestHead,
                strategy: SelectionStrategy, pinnedProvider: String? = nil, requestID: RequestID,
                clientTransport: TransportKind = .http, startedAtNanos: UInt64, includeParamsDigest: Bool = false) {
        self.board = board
        self.body = body
        self.head = head
        self.strategy = strategy
        self.pinnedProvider = pinnedProvider
        // The context feeds log lines and metrics: it keeps the name as lassod shows it, cut, so a
        // client's megabyte of method name never becomes a megabyte of log line.
        context = RequestContext(requestID: requestID, chain: board.chain.key, method: JSONRPCMethodName.display(head.method),
                                 transport: clientTransport,
                                 strategy: strategy, startedAtNanos: startedAtNanos)
        if let params = head.params {
            body.withUnsafeBytes { bytes in
                context.recordParams(UnsafeRawBufferPointer(rebasing: bytes[params]), includeDigest: includeParamsDigest)
            }
        }
    }
}
