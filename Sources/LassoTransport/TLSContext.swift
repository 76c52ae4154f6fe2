import CLassoShim
import CLibWebSockets
import Foundation
import Synchronization

/// An OpenSSL `SSL_CTX`: the trust store and options shared by the TLS connections of one
/// client, or the certificate of one server.
///
/// Verification is always on for clients: the system CA store, plus `caFilePath` when given;
/// an untrusted certificate or a name mismatch fails the handshake. TLS 1.2 or newer only.
///
/// `@unchecked Sendable`: an `SSL_CTX` is immutable after this initialiser and OpenSSL allows
/// creating connections from it on any thread.
final class TLSContext: @unchecked Sendable {
    let pointer: OpaquePointer
    let isServer: Bool

    private init(pointer: OpaquePointer, isServer: Bool) {
        self.pointer = pointer
        self.isServer = isServer
    }

    deinit { SSL_CTX_free(pointer) }

    /// Client contexts by CA bundle: loading the system store costs time and memory, and every
    /// client with the same trust can share one context.
    private static let clients = Mutex<[String: TLSContext]>([:])

    /// A client context trusting the system store and, if given, the PEM bundle at `caFilePath`.
    static func client(caFilePath: String?) -> Result<TLSContext, EventLoopError> {
        let key = caFilePath ?? ""
        if let shared = clients.withLock({ $0[key] }) { return .success(shared) }
        let made = makeClient(caFilePath: caFilePath)
        if case .success(let context) = made { clients.withLock { $0[key] = $0[key] ?? context } }
        return made
    }

    private static func makeClient(caFilePath: String?) -> Result<TLSContext, EventLoopError> {
        guard let context = SSL_CTX_new(TLS_client_method()) else { return .failure(.tlsSetupFailed(reason: lastError())) }
        let tls = TLSContext(pointer: context, isServer: false)
        lasso_ssl_ctx_configure(context)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        SSL_CTX_set_default_verify_paths(context)
        if let caFilePath {
            guard FileManager.default.isReadableFile(atPath: caFilePath) else { return .failure(.tlsFileUnreadable(path: caFilePath)) }
            guard SSL_CTX_load_verify_locations(context, caFilePath, nil) == 1 else {
                return .failure(.tlsSetupFailed(reason: lastError()))
            }
        }
        return .success(tls)
    }

    /// A server context presenting `credentials`.
    static func server(_ credentials: TLSCredentials) -> Result<TLSContext, EventLoopError> {
        for path in [credentials.certificatePath, credentials.privateKeyPath] where !FileManager.default.isReadableFile(atPath: path) {
            return .failure(.tlsFileUnreadable(path: path))
        }
        guard let context = SSL_CTX_new(TLS_server_method()) else { return .failure(.tlsSetupFailed(reason: lastError())) }
        let tls = TLSContext(pointer: context, isServer: true)
        lasso_ssl_ctx_configure(context)
        guard SSL_CTX_use_certificate_chain_file(context, credentials.certificatePath) == 1,
              SSL_CTX_use_PrivateKey_file(context, credentials.privateKeyPath, SSL_FILETYPE_PEM) == 1,
              SSL_CTX_check_private_key(context) == 1 else {
            return .failure(.tlsSetupFailed(reason: lastError()))
        }
        return .success(tls)
    }

    /// The newest OpenSSL error as text, and clears the thread's error queue.
    static func lastError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "unknown TLS error" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        let length = buffer.firstIndex(of: 0) ?? buffer.count
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
