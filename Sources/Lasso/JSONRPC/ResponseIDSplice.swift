/// Restores the client's `id` in an upstream response, leaving every other byte as the provider
/// sent it.
///
/// Upstream requests carry lassod's own ids (so one upstream connection can serve many clients),
/// and the client must get back the id it sent, in the exact form it sent it: `1`, `"1"` and
/// `1.0` are different ids to a client. Splicing bytes avoids decoding and re-encoding results,
/// which for `eth_getLogs` can be megabytes.
///
/// Nothing here is specific to responses beyond the name: splicing a request gives it another id
/// (lassod's own, for a multiplexed upstream WebSocket), and inserts one into a notification.
///
/// ```swift
/// let upstream = Array(#"{"jsonrpc":"2.0","id":91,"result":"0x10"}"#.utf8)
/// let reply = ResponseIDSplice.splice(response: upstream, clientID: Array(#""abc""#.utf8))
/// // {"jsonrpc":"2.0","id":"abc","result":"0x10"}
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public enum ResponseIDSplice {
    /// The response with its top-level `id` value replaced by `clientID`, given the scan of this
    /// same `response`. A response without an `id` gets one inserted as its first member. Nil when
    /// `scan` does not fit `response` (it was taken from another buffer).
    public static func splice(response: UnsafeRawBufferPointer, scan: JSONRPCResponseScan,
                              clientID: UnsafeRawBufferPointer) -> [UInt8]? {
        guard scan.objectStart < response.count, response[scan.objectStart] == UInt8(ascii: "{"),
              scan.id.map({ $0.lowerBound > scan.objectStart && $0.upperBound <= response.count }) ?? true
        else { return nil }
        var output: [UInt8] = []
        if let id = scan.id {
            output.reserveCapacity(response.count - id.count + clientID.count)
            output.append(contentsOf: response[..<id.lowerBound])
            output.append(contentsOf: clientID)
            output.append(contentsOf: response[id.upperBound...])
        } else {
            let insertAt = scan.objectStart + 1
            output.reserveCapacity(response.count + clientID.count + 6)
            output.append(contentsOf: response[..<insertAt])
            output.append(contentsOf: #""id":"#.utf8)
            output.append(contentsOf: clientID)
            if scan.hasMembers { output.append(UInt8(ascii: ",")) }
            output.append(contentsOf: response[insertAt...])
        }
        return output
    }

    /// Scans `response` and splices `clientID` into it; nil when the response is not a JSON object.
    public static func splice(response: [UInt8], clientID: [UInt8]) -> [UInt8]? {
        response.withUnsafeBytes { responseBytes in
            guard let scan = JSONRPCScanner.scanResponse(responseBytes) else { return nil }
            return clientID.withUnsafeBytes { splice(response: responseBytes, scan: scan, clientID: $0) }
        }
    }
}
