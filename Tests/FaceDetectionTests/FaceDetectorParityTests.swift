import FaceDetection
import Foundation
import ImageInput
import TestSupport
import XCTest

/// Parity with dlib 19.24's `cnn_face_detection_model_v1(img, 0)` (the shared reference and the fixtures).
/// Run with `DetectionOptions.dlibCompatible()`: no upsampling and no automatic retry, as the reference was made.
final class FaceDetectorParityTests: XCTestCase {
    static let detector: FaceDetector? = {
        guard let models = TestPaths.models else { return nil }
        return try? FaceDetector(contentsOf: models.appendingPathComponent("detector.h5"))
    }()

    private func requireDetector() throws -> FaceDetector {
        guard let d = Self.detector else { throw XCTSkip(TestPaths.skipReason("detector.h5 not found (run `pairmatch models import`)")) }
        return d
    }

    private func run(_ refs: [ReferenceImage], base: URL, detector: FaceDetector) throws -> ParityTally {
        var tally = ParityTally()
        for ref in refs {
            let image = try ImageDecoder.decode(contentsOf: base.appendingPathComponent(ref.path))
            XCTAssertEqual(image.width, ref.width, ref.path)
            XCTAssertEqual(image.height, ref.height, ref.path)
            let ours = detector.detect(in: image, options: .dlibCompatible())
            tally.add(ours: ours, reference: ref.faces, name: ref.path)
        }
        return tally
    }

    private func check(_ tally: ParityTally, _ label: String) {
        print("MMOD parity (\(label)): \(tally)")
        for line in tally.worst.prefix(20) { print("  \(line)") }
        XCTAssertGreaterThanOrEqual(tally.goodFraction, 0.98, label)
        XCTAssertLessThanOrEqual(tally.missedFraction, 0.01, label)
        XCTAssertLessThanOrEqual(tally.extraFraction, 0.01, label)
        XCTAssertLessThan(tally.maxScoreDelta, 1e-3, label)
    }

    /// Two LFW photos committed with their dlib boxes: runs whenever the model is present.
    func testFixturesMatchDlib() throws {
        let detector = try requireDetector()
        let dir = TestPaths.fixtures.appendingPathComponent("FaceDetection")
        let refs = try ReferenceImage.load(dir.appendingPathComponent("mmod_up0.jsonl"))
        XCTAssertEqual(refs.count, 2)
        let tally = try run(refs, base: dir, detector: detector)
        check(tally, "fixtures")
        XCTAssertEqual(tally.exactBoxes, tally.referenceFaces)
    }

    /// The larger example photos (some with two faces).
    func testExamplesMatchDlib() throws {
        let detector = try requireDetector()
        guard let shared = TestPaths.shared else { throw XCTSkip(TestPaths.skipReason("../shared not found")) }
        let refs = try ReferenceImage.load(shared.appendingPathComponent("reference/examples_mmod_up0.jsonl"))
        check(try run(refs, base: shared, detector: detector), "examples")
    }

    /// LFW View 1: a deterministic subset in debug builds (every k-th image, ≥ 300), all 4,992 when
    /// `PAIRMATCH_FULL_PARITY=1`.
    func testLFWMatchesDlib() throws {
        let detector = try requireDetector()
        guard let shared = TestPaths.shared else { throw XCTSkip(TestPaths.skipReason("../shared not found")) }
        let all = try ReferenceImage.load(shared.appendingPathComponent("reference/lfw-view1_mmod_up0.jsonl"))
        XCTAssertGreaterThan(all.count, 4000)
        let full = ProcessInfo.processInfo.environment["PAIRMATCH_FULL_PARITY"] == "1"
        let step = full ? 1 : max(1, all.count / 300)
        let subset = stride(from: 0, to: all.count, by: step).map { all[$0] }
        check(try run(subset, base: shared, detector: detector), full ? "LFW all" : "LFW every \(step)th")
    }
}
