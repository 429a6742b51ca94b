import FaceAnalysis
import FaceEmbedding
import Foundation
import ImageInput
import TestSupport
import WeightStore
import XCTest

final class EmbeddingCacheTests: XCTestCase {
    func testRoundTripAndInvalidation() throws {
        let dir = TestPaths.temporaryDirectory("cache")
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = dir.appendingPathComponent("a.jpg")
        try Data([1, 2, 3]).write(to: image)
        let url = dir.appendingPathComponent("cache.h5")
        let face = ImageFace(embedding: Embedding((0..<128).map { Float($0) / 100 }), box: FaceBox(left: -3, top: 4, right: 50, bottom: 60), facesFound: 2)

        let cache = try EmbeddingCache(url: url, encoderFingerprint: "enc", dimension: 128, settings: "s")
        XCTAssertNil(cache.lookup(image))
        cache.store(face, for: image)
        try cache.save()

        XCTAssertEqual(try EmbeddingCache(url: url, encoderFingerprint: "enc", dimension: 128, settings: "s").lookup(image), face)
        XCTAssertNil(try EmbeddingCache(url: url, encoderFingerprint: "other", dimension: 128, settings: "s").lookup(image), "another encoder")
        XCTAssertNil(try EmbeddingCache(url: url, encoderFingerprint: "enc", dimension: 128, settings: "t").lookup(image), "other settings")

        // Changing the file (size and time) invalidates its entry.
        try Data([1, 2, 3, 4]).write(to: image)
        XCTAssertNil(try EmbeddingCache(url: url, encoderFingerprint: "enc", dimension: 128, settings: "s").lookup(image))

        // A damaged cache file is an error, not silently ignored.
        try Data("garbage".utf8).write(to: url)
        XCTAssertThrowsError(try EmbeddingCache(url: url, encoderFingerprint: "enc", dimension: 128, settings: "s"))
    }

    func testSixtyFourDimensionalCacheRoundTripsAndAnotherSizeIsIgnored() throws {
        let dir = TestPaths.temporaryDirectory("cache-64")
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = dir.appendingPathComponent("a.png")
        try Data([9, 8, 7]).write(to: image)
        let url = dir.appendingPathComponent("cache.h5")
        let face = ImageFace(embedding: Embedding((0..<64).map { Float($0) / 64 }), box: nil, facesFound: 1)

        let cache = try EmbeddingCache(url: url, encoderFingerprint: "conv4", dimension: 64, settings: "s")
        XCTAssertEqual(cache.dimension, 64)
        cache.store(face, for: image)
        try cache.save()
        let archive = try WeightArchive.read(from: url, kind: EmbeddingCache.kind)
        XCTAssertEqual(try archive.integer("embedding_dimension"), 64)
        XCTAssertEqual(try archive.tensor("embeddings").shape, [1, 64])
        XCTAssertEqual(try EmbeddingCache(url: url, encoderFingerprint: "conv4", dimension: 64, settings: "s").lookup(image), face)

        // Another size is ignored like another encoder: the cache starts empty, and its next save replaces the file.
        let other = try EmbeddingCache(url: url, encoderFingerprint: "conv4", dimension: 128, settings: "s")
        XCTAssertNil(other.lookup(image), "another embedding size")
        XCTAssertEqual(other.count, 0)
        let face128 = ImageFace(embedding: Embedding([Float](repeating: 0.5, count: 128)), box: nil, facesFound: 1)
        other.store(face128, for: image)
        try other.save()
        XCTAssertEqual(try EmbeddingCache(url: url, encoderFingerprint: "conv4", dimension: 128, settings: "s").lookup(image), face128)
        XCTAssertNil(try EmbeddingCache(url: url, encoderFingerprint: "conv4", dimension: 64, settings: "s").lookup(image))
    }

    func testOldCacheFilesWithoutADimensionStillLoad() throws {
        let dir = TestPaths.temporaryDirectory("cache-old")
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = dir.appendingPathComponent("a.jpg")
        try Data([1, 2, 3]).write(to: image)
        let url = dir.appendingPathComponent("cache.h5")
        let face = ImageFace(embedding: Embedding((0..<128).map { Float($0) / 100 }), box: FaceBox(left: 1, top: 2, right: 3, bottom: 4), facesFound: 1)
        let cache = try EmbeddingCache(url: url, encoderFingerprint: "enc", dimension: 128, settings: "s")
        cache.store(face, for: image)
        try cache.save()
        // Rewrite it as the code before `embedding_dimension` did: the same tensors and attributes without it.
        let written = try WeightArchive.read(from: url, kind: EmbeddingCache.kind)
        var old = WeightArchive(kind: EmbeddingCache.kind, formatVersion: 1)
        for path in written.tensorPaths { old.set(try written.tensor(path), at: path) }
        for name in written.attributeNames() where !["kind", "format_version", "embedding_dimension"].contains(name) {
            old.set(attribute: name, try written.attribute(name))
        }
        XCTAssertFalse(old.attributeNames().contains("embedding_dimension"))
        try old.write(to: url)
        XCTAssertEqual(try EmbeddingCache(url: url, encoderFingerprint: "enc", dimension: 128, settings: "s").lookup(image), face)
        XCTAssertNil(try EmbeddingCache(url: url, encoderFingerprint: "enc", dimension: 64, settings: "s").lookup(image), "an old file is 128-d")
    }
}
