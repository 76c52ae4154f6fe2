import Lasso

/// A JSON-RPC error a simulated method answers with, in the shape a real node (geth) uses.
///
/// Codes and messages are chosen so lassod's `ErrorClassification` reads them as it would read a
/// real provider's: a revert is a caller fault, a too-large log query a capability limit, a
/// missing block a block-availability fault.
struct SimulatedRPCError: Error, Equatable {
    /// The JSON-RPC error code.
    var code: Int
    /// The message.
    var message: String
    /// `error.data` as a JSON string, when present (revert data).
    var data: String?

    /// -32602 with geth's `invalid argument N: …` wording.
    static func invalidArgument(_ index: Int, _ detail: String) -> SimulatedRPCError {
        SimulatedRPCError(code: JSONRPCErrorBody.invalidParams, message: "invalid argument \(index): \(detail)")
    }

    /// -32602 for a parameter list of the wrong length.
    static func missingArgument(_ index: Int) -> SimulatedRPCError {
        SimulatedRPCError(code: JSONRPCErrorBody.invalidParams, message: "missing value for required argument \(index)")
    }

    /// -32601 with geth's wording.
    static func methodNotFound(_ method: String) -> SimulatedRPCError {
        SimulatedRPCError(code: JSONRPCErrorBody.methodNotFound,
                          message: "the method \(method) does not exist/is not available")
    }

    /// -32000 `header not found`: a block number beyond this provider's head.
    static let headerNotFound = SimulatedRPCError(code: JSONRPCErrorBody.serverError, message: "header not found")

    /// Writes the error object (`{"code":…,"message":…,"data":…}`).
    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.int("code", code)
        writer.string("message", message)
        if let data { writer.string("data", data) }
        writer.endObject()
    }
}
