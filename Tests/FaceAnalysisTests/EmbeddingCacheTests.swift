import FaceAnalysis
import FaceEmbedding
import Foundation
import ImageInput
import TestSupport
import XCTest

final class EmbeddingCacheTests: XCTestCase {
    func testRoundTripAndInvalidation() throws {
        let dir = TestPaths.temporaryDirectory("cache")
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = dir.appendingPathComponent("a.jpg")
        try Data([1, 2, 3]).write(to: image)
        let url = dir.appendingPathComponent("cache.h5")
        let face = ImageFace(embedding: Embedding((0..<128).map { Float($0) / 100 }), box: FaceBox(left: -3, top: 4, right: 50, bottom: 60), facesFound: 2)

        let cache = try EmbeddingCache(url: url, encoderFingerprint: "enc", settings: "s")
        XCTAssertNil(cache.lookup(image))
        cache.store(face, for: image)
        try cache.save()

        XCTAssertEqual(try EmbeddingCache(url: url, encoderFingerprint: "enc", settings: "s").lookup(image), face)
        XCTAssertNil(try EmbeddingCache(url: url, encoderFingerprint: "other", settings: "s").lookup(image), "another encoder")
        XCTAssertNil(try EmbeddingCache(url: url, encoderFingerprint: "enc", settings: "t").lookup(image), "other settings")

        // Changing the file (size and time) invalidates its entry.
        try Data([1, 2, 3, 4]).write(to: image)
        XCTAssertNil(try EmbeddingCache(url: url, encoderFingerprint: "enc", settings: "s").lookup(image))

        // A damaged cache file is an error, not silently ignored.
        try Data("garbage".utf8).write(to: url)
        XCTAssertThrowsError(try EmbeddingCache(url: url, encoderFingerprint: "enc", settings: "s"))
    }
}
