/// `selection:` — how providers are chosen when the route does not name a strategy.
public struct SelectionConfig: Sendable, Equatable {
    /// Strategy for `POST /rpc/:chain`. Default `fastest`.
    public var defaultStrategy: SelectionStrategy

    /// Creates a selection section; the default is that of an absent `selection:`.
    public init(defaultStrategy: SelectionStrategy = .fastest) {
        self.defaultStrategy = defaultStrategy
    }

    static let keys = ["default_strategy"]

    init(_ fields: ConfigFields, _ decoder: inout ConfigDecoder) {
        let names = SelectionStrategy.allCases.map(\.rawValue)
        let strategy = decoder.choice(fields, "default_strategy", expected: names, SelectionStrategy.init(name:))
        self.init(defaultStrategy: strategy ?? .fastest)
    }
}
