import FaceEmbedding
import Foundation
import TestSupport
import WeightStore
import XCTest
@testable import LogisticHead

final class LogisticHeadPersistenceTests: XCTestCase {
    var folder: URL!

    override func setUp() { folder = TestPaths.temporaryDirectory("pairmatch-head") }
    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    func trainedHead(kind: PairFeatureKind = .absoluteDifference) throws -> LogisticHead {
        let (xs, ys) = TestData.small(count: 200, seed: 2)
        let features = xs.map { PairFeatures(kind: kind, values: $0.values) }
        return try HeadTrainer(lambda: nil).fit(features: features, labels: ys, encoderFingerprint: "sha256:aaaa",
                                                created: Date(timeIntervalSince1970: 1_750_000_123))
    }

    func testRoundTripKeepsEveryField() throws {
        let head = try trainedHead()
        XCTAssertNotNil(head.training?.heldOut)
        let url = folder.appendingPathComponent("head.h5")
        try head.save(to: url)
        let loaded = try LogisticHead.load(from: url, expectingEncoder: "sha256:aaaa")
        XCTAssertEqual(loaded, head)                       // weights, bias, kind, threshold, prior, fingerprint, time, summary
        XCTAssertEqual(loaded.training, head.training)
        XCTAssertEqual(loaded.weights, head.weights)

        // The file layout promised in the docs.
        let archive = try WeightArchive.read(from: url, kind: "pairmatch.head")
        XCTAssertEqual(archive.formatVersion, 1)
        XCTAssertEqual(try archive.tensor("weights").shape, [128])
        XCTAssertEqual(try archive.string("encoder_fingerprint"), "sha256:aaaa")
        XCTAssertEqual(try archive.string("created"), "2025-06-15T15:08:43Z")
        XCTAssertEqual(try archive.string("feature_kind"), "abs")
        XCTAssertEqual(try archive.float("lambda"), head.training!.lambda)
        for name in ["cv_accuracy", "cv_auc", "cv_eer", "cv_brier", "cv_ece"] {
            guard case .float? = try? archive.attribute(name) else { return XCTFail("\(name) is not a float attribute") }
        }
        XCTAssertEqual(try archive.integer("positives") + archive.integer("negatives"), 200)
    }

    func testRoundTripOfShiftedHandMadeSquaredHead() throws {
        let head = try LogisticHead(weights: (0..<128).map { Float($0) / 7 }, balancedBias: -3.25, featureKind: .squaredDifference,
                                    threshold: 0.625, encoderFingerprint: "enc-B", created: Date(timeIntervalSince1970: 0))
            .withPrior(0.01)
        let url = folder.appendingPathComponent("shifted.h5")
        try head.save(to: url)
        let loaded = try LogisticHead.load(from: url, expectingEncoder: "enc-B")
        XCTAssertEqual(loaded, head)
        XCTAssertNil(loaded.training)
        XCTAssertEqual(loaded.prior, 0.01)
        XCTAssertEqual(loaded.bias, head.bias)
    }

    func testOverwriteIsAtomicReplacement() throws {
        let url = folder.appendingPathComponent("head.h5")
        let a = try trainedHead()
        try a.save(to: url)
        let b = try a.withPrior(0.3)
        try b.save(to: url)
        XCTAssertEqual(try LogisticHead.load(from: url).prior, 0.3)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        XCTAssertEqual(leftovers, ["head.h5"])
    }

    func testRefusesAnotherEncoderNamingBothFingerprintsAndTheFile() throws {
        let url = folder.appendingPathComponent("head.h5")
        try trainedHead().save(to: url)
        XCTAssertThrowsError(try LogisticHead.load(from: url, expectingEncoder: "sha256:bbbb")) { error in
            XCTAssertEqual(error as? LogisticHeadError, .encoderMismatch(file: url.path, head: "sha256:aaaa", encoder: "sha256:bbbb"))
            let text = "\(error)"
            XCTAssertTrue(text.contains("sha256:aaaa"), text)
            XCTAssertTrue(text.contains("sha256:bbbb"), text)
            XCTAssertTrue(text.contains("head.h5"), text)
            XCTAssertFalse(text.contains("\n"))
        }
    }

    func testSixtyFourDimensionalHeadRoundTripsAndRecordsItsSize() throws {
        let (xs, ys) = TestData.small(count: 200, seed: 2, dimension: 64)
        let head = try HeadTrainer(lambda: nil).fit(features: xs, labels: ys, encoderFingerprint: "conv4-64",
                                                    created: Date(timeIntervalSince1970: 1_750_000_123))
        let url = folder.appendingPathComponent("head64.h5")
        try head.save(to: url)
        let archive = try WeightArchive.read(from: url, kind: "pairmatch.head")
        XCTAssertEqual(archive.formatVersion, 1)
        XCTAssertEqual(try archive.tensor("weights").shape, [64])
        XCTAssertEqual(try archive.integer("embedding_dimension"), 64)
        let loaded = try LogisticHead.load(from: url, expectingEncoder: "conv4-64", dimension: 64)
        XCTAssertEqual(loaded, head)
        XCTAssertEqual(loaded.dimension, 64)

        // A head built from a jointly learnt unit is saved in the same format, bound to its encoder.
        let unit = try LogisticHead(unitWeights: head.weights, bias: 0.75, encoderFingerprint: "conv4-64",
                                    created: Date(timeIntervalSince1970: 0))
        try unit.save(to: url)
        XCTAssertEqual(try LogisticHead.load(from: url, expectingEncoder: "conv4-64", dimension: 64), unit)
    }

    func testHeadOfAnotherSizeIsRefusedNamingTheFileAndBothSizes() throws {
        let url = folder.appendingPathComponent("head.h5")
        try trainedHead().save(to: url)   // 128-d
        // Dimension first: a 64-d encoder (which also has another fingerprint) is told about the sizes.
        for fingerprint in ["sha256:aaaa", "conv4-64"] {
            XCTAssertThrowsError(try LogisticHead.load(from: url, expectingEncoder: fingerprint, dimension: 64)) { error in
                XCTAssertEqual(error as? LogisticHeadError, .dimensionMismatch(file: url.path, head: 128, embeddings: 64))
                let text = "\(error)"
                XCTAssertTrue(text.contains(url.path) && text.contains("128") && text.contains("64"), text)
                XCTAssertFalse(text.contains("\n"))
            }
        }
        XCTAssertNoThrow(try LogisticHead.load(from: url, expectingEncoder: "sha256:aaaa", dimension: 128))
    }

    func testOldHeadFilesWithoutADimensionStillLoad() throws {
        // What format_version 1 files held before heads had a size: no `embedding_dimension`, weights [128].
        let head = try trainedHead()
        var old = WeightArchive(kind: "pairmatch.head", formatVersion: 1)
        let new = head.archive()
        for path in new.tensorPaths { old.set(try new.tensor(path), at: path) }
        for name in new.attributeNames() where !["kind", "format_version", "embedding_dimension"].contains(name) {
            old.set(attribute: name, try new.attribute(name))
        }
        XCTAssertFalse(old.attributeNames().contains("embedding_dimension"))
        let url = folder.appendingPathComponent("old.h5")
        try old.write(to: url)
        let loaded = try LogisticHead.load(from: url, expectingEncoder: "sha256:aaaa", dimension: 128)
        XCTAssertEqual(loaded, head)
        XCTAssertEqual(loaded.dimension, 128)

        // The shipped default head was written by the old code.
        let shipped = TestPaths.repositoryRoot.appendingPathComponent("Data/default-head.h5")
        guard FileManager.default.fileExists(atPath: shipped.path) else { throw XCTSkip(TestPaths.skipReason("Data/default-head.h5 absent")) }
        XCTAssertEqual(try LogisticHead.load(from: shipped).dimension, 128)
    }

    func testInconsistentDimensionIsAnUnusableFile() throws {
        var archive = try trainedHead().archive()
        archive.set(attribute: "embedding_dimension", .integer(64))
        let url = folder.appendingPathComponent("odd.h5")
        try archive.write(to: url)
        XCTAssertThrowsError(try LogisticHead.load(from: url)) {
            XCTAssertEqual($0 as? LogisticHeadError,
                           .invalidFile(path: url.path, reason: "embedding_dimension 64 but tensor 'weights' has 128 values"))
        }
        var flat = try trainedHead().archive()
        flat.set(Tensor(shape: [2, 64], values: [Float](repeating: 0, count: 128)), at: "weights")
        try flat.write(to: url)
        XCTAssertThrowsError(try LogisticHead.load(from: url)) {
            guard case .invalidFile(url.path, let reason)? = $0 as? LogisticHeadError else { return XCTFail("\($0)") }
            XCTAssertTrue(reason.contains("'weights'"), reason)
        }
    }

    func testFileErrorsAreWrapped() throws {
        let missing = folder.appendingPathComponent("none.h5")
        XCTAssertThrowsError(try LogisticHead.load(from: missing, expectingEncoder: "e")) {
            XCTAssertEqual($0 as? LogisticHeadError, .store(.missingFile(path: missing.path)))
        }
        let other = folder.appendingPathComponent("other.h5")
        try WeightArchive(kind: "pairmatch.encoder", formatVersion: 1).write(to: other)
        XCTAssertThrowsError(try LogisticHead.load(from: other, expectingEncoder: "e")) {
            XCTAssertEqual($0 as? LogisticHeadError, .store(.wrongKind(path: other.path, expected: "pairmatch.head", found: "pairmatch.encoder")))
        }
        var archive = try trainedHead().archive()
        archive.set(attribute: "feature_kind", .string("cosine"))
        let odd = folder.appendingPathComponent("odd.h5")
        try archive.write(to: odd)
        XCTAssertThrowsError(try LogisticHead.load(from: odd, expectingEncoder: "sha256:aaaa")) {
            XCTAssertEqual($0 as? LogisticHeadError, .invalidFile(path: odd.path, reason: "unknown feature_kind 'cosine'"))
        }
        let unwritable = folder.appendingPathComponent("no/such/dir/head.h5")
        XCTAssertThrowsError(try trainedHead().save(to: unwritable)) {
            guard case .store? = $0 as? LogisticHeadError else { return XCTFail("\($0)") }
        }
    }
}
