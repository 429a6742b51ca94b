import FaceEmbedding
import Foundation
import Gallery
import GalleryStore
import TestSupport
import Workflows
import XCTest

/// The server's gallery: commits go to the store first, then memory; another process's commits are picked up
/// before the next read; refusals are typed.
final class LiveGalleryTests: XCTestCase {
    let fingerprint = "test-encoder", d = 8

    func vector(_ seed: Int) -> Embedding { Embedding((0..<d).map { Float(sin(Double(seed * 31 + $0))) }) }

    func testWritesReachTheStoreAndOtherWritersAreSeen() throws {
        for file in ["people.db", "people.h5"] {
            let dir = TestPaths.temporaryDirectory("live-gallery")
            defer { try? FileManager.default.removeItem(at: dir) }
            let location = dir.appendingPathComponent(file).path
            let live = try LiveGallery.open(location, encoderFingerprint: fingerprint, dimension: d)
            XCTAssertEqual(live.count, 0)
            XCTAssertEqual(try live.enroll(name: "ana", embeddings: [vector(1)], metadata: nil, policy: .extend), .added(embeddings: 1))
            XCTAssertEqual(try live.enroll(name: "ana", embeddings: [vector(2)], metadata: "{}", policy: .extend), .extended(total: 2))
            // What memory holds is what the store holds.
            let stored = try GalleryStores.open(location).load(expectingEncoder: fingerprint, dimension: d)
            try live.read { g in XCTAssertEqual(g.embeddings(of: "ana"), stored.embeddings(of: "ana")) }

            // Another writer (a CLI enroll beside the server) commits: the next read sees it.
            let other = try GalleryStores.open(location, lockWait: 5)
            try other.enroll([GalleryEnrolment(name: "bo", embeddings: [vector(3)])], encoderFingerprint: fingerprint, dimension: d) { _, r in
                if case .failure(let e) = r { XCTFail("\(e)") }
            }
            XCTAssertEqual(try live.read { $0.identities.map(\.name) }, ["ana", "bo"], file)
            XCTAssertTrue(try other.remove(name: "bo"))
            XCTAssertEqual(try live.read { $0.identities.map(\.name) }, ["ana"], file)

            // Refusals are typed; nothing changes.
            XCTAssertThrowsError(try live.enroll(name: "ana", embeddings: [vector(4)], metadata: nil, policy: .refuse)) { e in
                XCTAssertEqual((e as? WorkflowError)?.kind, .conflict)
            }
            XCTAssertThrowsError(try live.enroll(name: " ", embeddings: [vector(4)], metadata: nil, policy: .extend)) { e in
                XCTAssertEqual((e as? WorkflowError)?.kind, .badInput)
            }
            XCTAssertThrowsError(try live.enroll(name: "cy", embeddings: [Embedding([1, 2])], metadata: nil, policy: .extend)) { e in
                XCTAssertEqual((e as? WorkflowError)?.kind, .badInput)
            }
            XCTAssertThrowsError(try live.remove(name: "nobody")) { e in XCTAssertEqual((e as? WorkflowError)?.kind, .unknownPerson) }
            try live.remove(name: "ana")
            XCTAssertEqual(live.count, 0)
            XCTAssertEqual(try GalleryStores.open(location).load(expectingEncoder: nil, dimension: nil).count, 0)

            // Closed (shutting down): writes refused, reads go on.
            live.close()
            XCTAssertThrowsError(try live.enroll(name: "dee", embeddings: [vector(5)], metadata: nil, policy: .extend)) { e in
                XCTAssertEqual((e as? WorkflowError)?.kind, .gallery)
            }
            XCTAssertNoThrow(try live.read { _ in () })
        }
    }

    func testAStoreOfAnotherEncoderIsRefused() throws {
        let dir = TestPaths.temporaryDirectory("live-gallery-encoder")
        defer { try? FileManager.default.removeItem(at: dir) }
        let location = dir.appendingPathComponent("people.db").path
        let live = try LiveGallery.open(location, encoderFingerprint: fingerprint, dimension: d)
        _ = try live.enroll(name: "ana", embeddings: [vector(1)], metadata: nil, policy: .extend)
        XCTAssertThrowsError(try LiveGallery.open(location, encoderFingerprint: "another", dimension: d)) { e in
            XCTAssertEqual((e as? WorkflowError)?.kind, .gallery)
        }
    }

    /// Readers during a stream of writes always see whole people (every identity with all its rows).
    func testReadersSeeWholePeopleWhileWritersEnrol() throws {
        let dir = TestPaths.temporaryDirectory("live-gallery-concurrent")
        defer { try? FileManager.default.removeItem(at: dir) }
        let live = try LiveGallery.open(dir.appendingPathComponent("people.db").path, encoderFingerprint: fingerprint, dimension: d)
        let writes = 60
        let vectors = (0..<writes).map { [vector($0), vector($0 + 1000)] }
        // What the reader saw wrong, asserted on this thread afterwards (XCTest records failures from here).
        let problems = NSLock()
        nonisolated(unsafe) var seen: [String] = []
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            if worker == 0 {
                for i in 0..<writes { _ = try? live.enroll(name: "p\(i)", embeddings: vectors[i], metadata: nil, policy: .extend) }
            } else {
                for _ in 0..<200 {
                    try? live.read { g in
                        var wrong = g.identities.filter { $0.embeddingCount != 2 }.map { "\($0.name) has \($0.embeddingCount) embeddings" }
                        if g.embeddingCount != 2 * g.count { wrong.append("\(g.embeddingCount) embeddings for \(g.count) people") }
                        if !wrong.isEmpty { problems.withLock { seen += wrong } }
                    }
                }
            }
        }
        XCTAssertEqual(seen, [], "a reader saw half or doubled people")
        XCTAssertEqual(live.count, writes)
        try live.read { g in XCTAssertEqual(g.embeddingCount, 2 * writes) }
    }
}
