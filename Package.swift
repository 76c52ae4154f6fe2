// swift-tools-version:6.0
import PackageDescription

// lassod: a JSON-RPC proxy for blockchain providers. No package dependencies by design:
// only the toolchain and three Debian C libraries (libwebsockets, OpenSSL, libyaml).
let package = Package(
    name: "lassod",
    products: [
        .executable(name: "lassod", targets: ["lassod"]),
        .library(name: "Supervision", targets: ["Supervision"]),
    ],
    targets: [
        // The OTP-style runtime. Imports only Foundation, Dispatch and Synchronization.
        // Cross-module optimization: every GenServer lives in another module (Lasso, the
        // benchmarks), and without it the runtime's generic mailbox loop runs unspecialized,
        // looking up type metadata several times per message (a fifth of a cast's cost, measured
        // with perf). The flag lets SwiftPM refuse this package as someone else's dependency,
        // which nothing here is.
        .target(name: "Supervision",
                swiftSettings: [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]),

        // C interop: system libraries through pkg-config, plus one small shim for what Swift
        // cannot import from libwebsockets (macros, variadic functions).
        .systemLibrary(name: "CLibWebSockets", pkgConfig: "libwebsockets",
                       providers: [.apt(["libwebsockets-dev", "libssl-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .target(name: "CLassoShim", dependencies: ["CLibWebSockets"]),

        // Every socket lassod has, on libwebsockets event loops: HTTP/1.1 and WebSocket server and
        // clients, TLS, a line server for Unix sockets. Knows nothing of JSON-RPC.
        .target(name: "LassoTransport", dependencies: ["CLibWebSockets", "CLassoShim"]),

        // A seeded fuzzer of the transport (hostile clients and upstreams), run by the tests and
        // by `lasso-bench fuzz`.
        .target(name: "TransportFuzzing", dependencies: ["LassoTransport"]),

        // The domain: config, tree, routing, providers, subscriptions, metrics, web, admin.
        .target(name: "Lasso", dependencies: ["Supervision", "LassoTransport", "CYAML"]),

        // Simulated chains and the providers that serve them, and the battle framework (`Battle/`),
        // for `lassod demo`, `lassod battle`, lasso-bench and the tests. Above the domain so
        // production code cannot reach it: `Lasso` never imports it, only `lassod`, lasso-bench and
        // the tests link it.
        .target(name: "LassoSimulation", dependencies: ["Lasso", "LassoTransport", "Supervision"]),

        .executableTarget(name: "lassod", dependencies: ["Lasso", "LassoSimulation"]),
        // Runs one JSON supervision scenario and prints its events, for comparison with Erlang/OTP.
        .executableTarget(name: "supervision-trace", dependencies: ["Supervision"]),
        .executableTarget(name: "lasso-bench", dependencies: ["Lasso", "LassoSimulation", "LassoTransport", "Supervision",
                                                           "TransportFuzzing"],
                          path: "Benchmarks",
                          // The Erlang/OTP side of `lasso-bench supervision --vs-otp`, run by escript.
                          exclude: ["otp"]),

        // What the test suites share: waiting with a deadline, the loopback client, scripted and
        // echoing peers, blocking work kept off the cooperative pool, the doc-example check.
        .target(name: "TestSupport", dependencies: ["LassoTransport"], path: "Tests/TestSupport"),
        .testTarget(name: "SupervisionTests", dependencies: ["Supervision", "TestSupport"]),
        .testTarget(name: "TransportTests", dependencies: ["LassoTransport", "TestSupport"]),
        // Tests that measure the whole process (open files, RSS, the fd limit, latency): `make test`
        // runs them alone, in a process of their own, after the parallel run of the others.
        .testTarget(name: "ProcessWideTests", dependencies: ["LassoTransport", "TransportFuzzing", "TestSupport"]),
        // The domain's tests; the end-to-end ones put simulated providers behind lassod.
        .testTarget(name: "LassoTests", dependencies: ["Lasso", "LassoSimulation", "LassoTransport", "TestSupport"]),
        // The simulator's tests: chain, handler, behaviors, subscriptions at chosen instants; and
        // its server over loopback sockets (behavior switches on open connections, reorgs).
        .testTarget(name: "LassoSimulationTests", dependencies: ["LassoSimulation", "Lasso", "LassoTransport", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
