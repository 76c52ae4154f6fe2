import Foundation

/// Serves files under a directory for `GET` routes (the dashboard's assets).
///
/// Paths arrive normalised by libwebsockets (no `..` segments); the resolved file must still lie
/// inside the directory. Files are read on the loop thread, so keep them small.
///
/// ```swift
/// router.add(.get, prefix: "/dashboard/", StaticFiles.handler(directory: directory, urlPrefix: "/dashboard/"))
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
public enum StaticFiles {
    /// A handler answering `urlPrefix + relative path` with the file `directory/relative path`
    /// (`index.html` for a directory), 404 when missing.
    public static func handler(directory: String, urlPrefix: String, indexFile: String = "index.html") -> HTTPHandler {
        let root = URL(fileURLWithPath: directory).standardizedFileURL.path
        return { request, responder in
            var relative = String(request.path.dropFirst(min(urlPrefix.count, request.path.count)))
            if relative.isEmpty || relative.hasSuffix("/") { relative += indexFile }
            let path = URL(fileURLWithPath: root).appendingPathComponent(relative).standardizedFileURL.path
            guard path.hasPrefix(root + "/"), let data = FileManager.default.contents(atPath: path) else {
                responder.respond(.text("not found", status: 404))
                return
            }
            responder.respond(HTTPResponse(status: 200, contentType: contentType(for: path), body: Array(data)))
        }
    }

    /// The content type for a file name's extension.
    static func contentType(for path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "html", "htm": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "json": "application/json"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "txt": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }
}
