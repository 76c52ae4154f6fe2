import Testing
@testable import Lasso

@Suite struct URLRedactionTests {
    @Test(arguments: [
        ("https://eth-mainnet.g.alchemy.com/v2/SECRETKEY", "https://eth-mainnet.g.alchemy.com"),
        ("https://rpc.example.com:8443/path?apikey=SECRETKEY", "https://rpc.example.com:8443"),
        ("wss://user:SECRETKEY@ws.example.com/ws", "wss://ws.example.com"),
        ("HTTP://LOCALHOST:8545/#SECRETKEY", "http://LOCALHOST:8545"),
        ("http://[::1]:8545/SECRETKEY", "http://[::1]:8545"),
    ])
    func keepsOnlySchemeHostPort(url: String, expected: String) {
        let redacted = URLRedaction.redact(url)
        #expect(redacted == expected)
        #expect(!redacted.contains("SECRETKEY"))
    }

    @Test(arguments: ["SECRETKEY", "not a url SECRETKEY", "/relative/SECRETKEY", "https:///SECRETKEY"])
    func neverEchoesUnparsableInput(input: String) {
        #expect(URLRedaction.redact(input) == URLRedaction.unparsable)
    }
}
