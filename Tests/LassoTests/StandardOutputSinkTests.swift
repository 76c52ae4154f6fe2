import Dispatch
import Foundation
import Glibc
import Testing
@testable import Lasso

@Suite struct StandardOutputSinkTests {
    /// A temporary file's descriptor and path; the file is removed when the test ends.
    private func temporaryFile() throws -> (Int32, String) {
        let path = NSTemporaryDirectory() + "/lassod-sink-\(UUID().uuidString)"
        let descriptor = open(path, O_CREAT | O_RDWR | O_TRUNC, 0o600)
        try #require(descriptor >= 0)
        return (descriptor, path)
    }

    @Test func concurrentWritersProduceWholeOrderedLines() throws {
        let (descriptor, path) = try temporaryFile()
        defer { close(descriptor); unlink(path) }
        // A small high-water mark makes background flushes race with the writers.
        let sink = StandardOutputSink(fileDescriptor: descriptor, highWaterBytes: 512)
        let writers = 8, perWriter = 300
        DispatchQueue.concurrentPerform(iterations: writers) { writer in
            for index in 0..<perWriter {
                sink.write(Array(#"{"writer":\#(writer),"index":\#(index),"pad":"xxxxxxxxxxxxxxxx"}"#.utf8) + [0x0A])
            }
        }
        sink.flush()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == writers * perWriter)
        var nextIndex = [Int](repeating: 0, count: writers)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let writer = try #require(object["writer"] as? Int)
            #expect(object["index"] as? Int == nextIndex[writer])
            nextIndex[writer] += 1
        }
        #expect(nextIndex == [Int](repeating: perWriter, count: writers))
        #expect(sink.droppedLines == 0)
    }

    @Test func fullBufferDropsAndCountsInsteadOfBlocking() throws {
        let (descriptor, path) = try temporaryFile()
        defer { close(descriptor); unlink(path) }
        let sink = StandardOutputSink(fileDescriptor: descriptor, flushIntervalMilliseconds: 600_000,
                                      highWaterBytes: 25, maxBufferedBytes: 25)
        let line = Array("123456789\n".utf8)
        for _ in 0..<4 { sink.write(line) }
        #expect(sink.droppedLines == 2)
        sink.flush()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "123456789\n123456789\n")
    }
}
