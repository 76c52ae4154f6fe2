/// Where a process sits in a scenario's tree: the ids from the root down, written `s/x`. The
/// root is the empty path; every supervisor in a trace is named by its path, so an event's
/// supervisor name and child id give the child's path.
struct TracePath: Hashable, CustomStringConvertible {
    let segments: [String]

    static let root = TracePath(segments: [])

    init(segments: [String]) { self.segments = segments }

    init(_ text: String) { segments = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init) }

    /// The supervisor's name in events: the path itself, `""` for the root.
    var description: String { segments.joined(separator: "/") }

    /// The supervisor that holds this child.
    var parent: TracePath { TracePath(segments: Array(segments.dropLast())) }

    /// The child's id in its supervisor.
    var last: String { segments.last ?? "" }

    var isRoot: Bool { segments.isEmpty }

    func appending(_ id: String) -> TracePath { TracePath(segments: segments + [id]) }

    /// The path of child `child` of the supervisor named `supervisor` in an event.
    static func child(_ child: String, of supervisor: String) -> TracePath {
        (supervisor.isEmpty ? root : TracePath(supervisor)).appending(child)
    }
}
