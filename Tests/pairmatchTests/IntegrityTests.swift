import Foundation
import TestSupport
@testable import WeightStore
import XCTest

/// Damaged files end in exit 3 naming the file, never in an answer. Before checksums, bytes flipped in the middle
/// of encoder.h5 answered "same person: no, distance 2950" with exit 0.
final class IntegrityTests: XCTestCase {
    private var dir: URL!
    private let a = "Data/samples/obama.jpg", b = "Data/samples/obama2.jpg"

    override func setUp() { dir = TestPaths.temporaryDirectory("integrity-cli") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    /// The imported models and head, freshly written (with checksums) into `dir/models`.
    private func freshModels() throws -> URL {
        let source = try CLIRunner.modelsWithHead()
        let target = dir.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        for name in ["encoder.h5", "detector.h5", "landmarks.h5", "head.h5"] {
            try WeightArchive.read(from: source.appendingPathComponent(name)).write(to: target.appendingPathComponent(name))
        }
        return target
    }

    /// XORs 16 bytes in the middle of the file.
    private func flipMiddle(_ url: URL) throws {
        var bytes = [UInt8](try Data(contentsOf: url))
        for i in bytes.count / 2..<bytes.count / 2 + 16 { bytes[i] ^= 0xFF }
        try Data(bytes).write(to: url)
    }

    /// Flips one bit of element `element` of tensor `tensor` of the file (located by its bytes).
    private func flip(_ tensor: String, element: Int = 0, in url: URL) throws {
        let values = try WeightArchive.read(from: url).tensor(tensor).values
        var bytes = [UInt8](try Data(contentsOf: url))
        let pattern = values.withUnsafeBytes { [UInt8]($0) }
        guard let start = (0...(bytes.count - pattern.count)).first(where: { bytes[$0..<$0 + pattern.count].elementsEqual(pattern) }) else {
            return XCTFail("\(tensor) not found in \(url.path)")
        }
        bytes[start + 4 * element + 1] ^= 0x10
        try Data(bytes).write(to: url)
    }

    /// Exit 3 naming `file` on stderr; with `answers`, nothing on stdout (no answer was given).
    private func assertModelFailure(_ r: CLIRunner.Result, naming file: URL, answers: Bool = true, _ line: UInt = #line) {
        XCTAssertEqual(r.status, 3, r.stdout + r.stderr, line: line)
        if answers { XCTAssertEqual(r.stdout, "", line: line) }
        XCTAssertTrue(r.stderr.contains(file.path), r.stderr, line: line)
    }

    func testFlippedBytesInModelsAndHeadExit3NamingTheFile() throws {
        let models = try freshModels()
        let good = try CLIRunner.run(["compare", a, b, "--models", models.path])
        XCTAssertEqual(good.status, 0, good.stderr)
        XCTAssertFalse(good.stderr.contains("warning"), good.stderr)
        for name in ["encoder.h5", "landmarks.h5"] {
            let url = models.appendingPathComponent(name)
            let saved = try Data(contentsOf: url)
            try flipMiddle(url)
            assertModelFailure(try CLIRunner.run(["compare", a, b, "--models", models.path]), naming: url)
            try saved.write(to: url)
        }
        let head = models.appendingPathComponent("head.h5")
        try flip("weights", element: 64, in: head)
        let r = try CLIRunner.run(["compare", a, b, "--models", models.path])
        assertModelFailure(r, naming: head)
        XCTAssertTrue(r.stderr.contains("'weights'") && r.stderr.contains("checksum"), r.stderr)
    }

    /// Before: a NaN in one weight was accepted.
    func testANaNWeightIsRefused() throws {
        let models = try freshModels()
        var head = try WeightArchive.read(from: models.appendingPathComponent("head.h5"))
        var w = try head.tensor("weights")
        w.values[7] = .nan
        head.set(w, at: "weights")
        let bad = dir.appendingPathComponent("nan-head.h5")
        try head.write(to: bad)
        let r = try CLIRunner.run(["compare", a, b, "--models", models.path, "--head", bad.path])
        assertModelFailure(r, naming: bad)
        XCTAssertTrue(r.stderr.contains("non-finite") && r.stderr.contains("index 7"), r.stderr)
    }

    /// Files from before checksums still work, with one warning line on stderr naming the rewrite; --json intact.
    func testOldHeadLoadsWithOneWarningAndJSONIntact() throws {
        let models = try freshModels()
        let old = dir.appendingPathComponent("old-head.h5")
        try WeightArchive.read(from: models.appendingPathComponent("head.h5")).writeWithoutChecksums(to: old)
        let r = try CLIRunner.run(["compare", a, b, "--json", "--models", models.path, "--head", old.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)), r.stdout)
        let warnings = r.stderrLines.filter { $0.contains("no checksums") }
        XCTAssertEqual(warnings.count, 1, r.stderr)
        XCTAssertTrue(warnings.first?.contains(old.path) == true && warnings.first?.contains("pairmatch train-head") == true, r.stderr)
    }

    /// A gallery (written here without models: two people) whose embeddings are damaged is refused.
    func testFlippedGalleryEmbeddingsExit3() throws {
        var g = WeightArchive(kind: "pairmatch.gallery", formatVersion: 1)
        for (k, v) in [("encoder_fingerprint", "test"), ("created", "2025-01-31T12:00:00Z"), ("updated", "2025-01-31T12:00:00Z")] {
            g.set(attribute: k, .string(v))
        }
        for (k, v) in [("identity_count", 2), ("embedding_count", 2), ("embedding_dimension", 4)] { g.set(attribute: k, .integer(Int64(v))) }
        g.set(Tensor(shape: [2, 4], values: [0.5, 0.5, 0.5, 0.5, 0.1, 0.2, 0.3, 0.9]), at: "embeddings")
        g.set(Tensor(shape: [2], values: [0, 1]), at: "owner")
        g.set(Tensor(shape: [6], values: Array("AnnBob".utf8).map(Float.init)), at: "names/bytes")
        g.set(Tensor(shape: [2], values: [3, 3]), at: "names/lengths")
        g.set(Tensor(shape: [0], values: []), at: "metadata/bytes")
        g.set(Tensor(shape: [2], values: [-1, -1]), at: "metadata/lengths")
        let url = dir.appendingPathComponent("people.h5")
        try g.write(to: url)
        let good = try CLIRunner.run(["gallery", "list", "--gallery", url.path])
        XCTAssertEqual(good.status, 0, good.stderr)
        XCTAssertTrue(good.stdout.contains("Ann") && good.stdout.contains("Bob"), good.stdout)
        try flip("embeddings", element: 5, in: url)
        let r = try CLIRunner.run(["gallery", "list", "--gallery", url.path])
        assertModelFailure(r, naming: url)
        XCTAssertTrue(r.stderr.contains("'embeddings'"), r.stderr)
    }

    /// A damaged embedding cache is refused (exit 3), not used to score.
    func testFlippedCacheExit3() throws {
        let models = try freshModels()
        let pairs = dir.appendingPathComponent("pairs.csv")
        try "a,b\nobama.jpg,obama2.jpg\n".write(to: pairs, atomically: true, encoding: .utf8)
        let cache = dir.appendingPathComponent("cache.h5")
        let args = ["score", pairs.path, "--images", "Data/samples", "--cache", cache.path, "--models", models.path]
        let first = try CLIRunner.run(args + ["-o", dir.appendingPathComponent("1.csv").path])
        XCTAssertEqual(first.status, 0, first.stderr)
        try flip("embeddings", element: 3, in: cache)
        assertModelFailure(try CLIRunner.run(args + ["-o", dir.appendingPathComponent("2.csv").path]), naming: cache)
    }

    func testModelsInfoVerifyPassesOnGoodModelsAndFailsOnDamagedOnes() throws {
        let models = try freshModels()
        let ok = try CLIRunner.run(["models", "info", "--verify", "--models", models.path])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(ok.stdout.components(separatedBy: "checksums: ok").count - 1, 3, ok.stdout)
        if TestPaths.dlibSources != nil {
            XCTAssertEqual(ok.stdout.components(separatedBy: "tensors identical").count - 1, 3, ok.stdout)
        } else {
            TestPaths.skipReason("dlib .dat files absent: models info --verify compared the checksums only")
            XCTAssertTrue(ok.stdout.contains("verified the checksums only"), ok.stdout)
        }
        let encoder = models.appendingPathComponent("encoder.h5")
        let saved = try Data(contentsOf: encoder)
        try flipMiddle(encoder)
        assertModelFailure(try CLIRunner.run(["models", "info", "--verify", "--models", models.path]), naming: encoder, answers: false)
        // Checksums intact but a weight changed (rewritten from damaged weights): caught against the .dat.
        guard let sources = TestPaths.dlibSources else { return }
        try saved.write(to: encoder)
        var archive = try WeightArchive.read(from: encoder)
        let name = archive.tensorPaths[archive.tensorPaths.count / 2]
        var t = try archive.tensor(name)
        t.values[0] += 1
        archive.set(t, at: name)
        try archive.write(to: encoder)
        let r = try CLIRunner.run(["models", "info", "--verify", "--sources", sources.path, "--models", models.path])
        assertModelFailure(r, naming: encoder, answers: false)
        XCTAssertTrue(r.stderr.contains("'\(name)'"), r.stderr)
    }
}
