/// A server certificate chain and private key, as PEM files.
public struct TLSCredentials: Sendable, Equatable {
    /// PEM certificate chain (leaf first).
    public var certificatePath: String
    /// PEM private key for the leaf certificate.
    public var privateKeyPath: String

    /// Credentials from two PEM files.
    public init(certificatePath: String, privateKeyPath: String) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
    }
}
