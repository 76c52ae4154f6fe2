import Foundation

/// Owns C strings handed to libwebsockets structures that must outlive the call (vhost names,
/// protocol options, file paths); frees them all when the owner goes away.
final class CStringArena {
    private var strings: [UnsafeMutablePointer<CChar>] = []

    init() {}

    deinit { strings.forEach { free($0) } }

    /// A NUL-terminated copy of `text` that lives as long as the arena.
    func make(_ text: String) -> UnsafePointer<CChar>? {
        guard let copy = strdup(text) else { return nil }
        strings.append(copy)
        return UnsafePointer(copy)
    }
}
