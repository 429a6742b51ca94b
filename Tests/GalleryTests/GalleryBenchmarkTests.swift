import Foundation
import TestSupport
import XCTest
@testable import Gallery

final class GalleryBenchmarkTests: XCTestCase {
    func testSmallRunReportsEveryFieldAsJSON() throws {
        let folder = TestPaths.temporaryDirectory("gallery-bench")
        defer { try? FileManager.default.removeItem(at: folder) }
        var lines: [String] = []
        let reports = try GalleryBenchmark.run(size: 3000, threadCounts: [1, 2], batchSize: 8, topK: 3, loadRepeats: 1,
                                               singleRepeats: 3, batchRepeats: 1, folder: folder) { lines.append($0) }
        XCTAssertEqual(reports.map(\.threads), [1, 2])
        for r in reports {
            XCTAssertEqual(r.size, 3000)
            XCTAssertGreaterThan(r.fileBytes, 3000 * 128 * 4)
            XCTAssertGreaterThan(r.loadMs, 0)
            XCTAssertGreaterThan(r.singleQueryMs, 0)
            XCTAssertGreaterThan(r.batchedQueryMs, 0)
        }
        XCTAssertFalse(lines.isEmpty)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [], "the temporary gallery is removed")

        let json = try GalleryBenchmark.json(reports)
        let objects = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [[String: Any]]
        XCTAssertEqual(objects.count, 2)
        XCTAssertEqual(Set(objects[0].keys), ["size", "file_bytes", "load_ms", "single_query_ms", "batched_query_ms",
                                              "threads", "batch_size", "top_k"])
        XCTAssertEqual(try JSONDecoder().decode([GalleryBenchmark.Report].self, from: Data(json.utf8)), reports)
    }

    func testSyntheticGalleryIsSeededAndSearchable() throws {
        let a = FaceGallery.synthetic(size: 500, seed: 7), b = FaceGallery.synthetic(size: 500, seed: 7)
        XCTAssertEqual(a.matrix, b.matrix)
        XCTAssertNotEqual(a.matrix, FaceGallery.synthetic(size: 500, seed: 8).matrix)
        XCTAssertEqual(a.identities[42].name, "id-0000042")
        XCTAssertEqual(a.embedding(row: 3).norm, 1, accuracy: 1e-5)
        let hit = try a.nearest([a.embedding(row: 123)], topK: 1)[0][0]
        XCTAssertEqual(hit.name, "id-0000123")
        XCTAssertEqual(hit.distance, 0, accuracy: 1e-3)
        XCTAssertEqual(a.dimension, 128)
    }

    func testSyntheticAndBenchmarkAtSixtyFourDimensions() throws {
        let g = FaceGallery.synthetic(size: 300, dimension: 64, seed: 7)
        XCTAssertEqual(g.dimension, 64)
        XCTAssertEqual(g.matrix.count, 300 * 64)
        XCTAssertEqual(g.embedding(row: 3).norm, 1, accuracy: 1e-5)
        XCTAssertEqual(try g.nearest([g.embedding(row: 123)], topK: 1)[0][0].name, "id-0000123")

        let folder = TestPaths.temporaryDirectory("gallery-bench-64")
        defer { try? FileManager.default.removeItem(at: folder) }
        let reports = try GalleryBenchmark.run(size: 2000, dimension: 64, threadCounts: [1], batchSize: 4, topK: 3, loadRepeats: 1,
                                               singleRepeats: 3, batchRepeats: 1, folder: folder)
        XCTAssertEqual(reports.count, 1)
        XCTAssertGreaterThan(reports[0].fileBytes, 2000 * 64 * 4)
        XCTAssertLessThan(reports[0].fileBytes, 2000 * 128 * 4, "64-d rows, not 128-d")
    }
}
