import LassoTransport

/// HTTP responses carrying a JSON-RPC error object with a null id, for failures that happen
/// before a request's id is known (a malformed request, an unknown route, a limit).
///
/// ```swift
/// let response = JSONRPCHTTPError.response(status: 413, message: "request body too large")
/// // 413, {"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"request body too large"}}
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public enum JSONRPCHTTPError {
    /// `status` with a JSON-RPC error body: -32601 for 404 (nothing there), -32600 otherwise.
    public static func response(status: Int, code: Int? = nil, message: String, closeConnection: Bool = false) -> HTTPResponse {
        let code = code ?? (status == 404 ? JSONRPCErrorBody.methodNotFound : JSONRPCErrorBody.invalidRequest)
        return HTTPResponse(status: status, body: JSONRPCErrorBody.make(code: code, message: message),
                            closeConnection: closeConnection)
    }
}
