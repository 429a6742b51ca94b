import FaceAlignment
import Foundation
import ImageInput
import TestSupport
import XCTest

/// Our landmarks against dlib 19.24's, given dlib's own MMOD boxes (../shared/reference).
/// Full LFW run (PAIRMATCH_FULL_PARITY=1, 2026-11): 5,317 faces in 4,992 photos, all 5 points identical to dlib's;
/// examples: 24 faces, all identical.
final class LandmarkParityTests: XCTestCase {
    /// Compares every face of `photos`; returns (faces, exactly equal faces, max |Δ| in pixels).
    private func compare(_ photos: [ReferencePhoto], root: URL, predictor: LandmarkPredictor,
                         file: StaticString = #filePath, line: UInt = #line) throws -> (Int, Int, Int) {
        var faces = 0, exact = 0, worst = 0
        for photo in photos {
            let image = try photo.load(relativeTo: root)
            XCTAssertEqual(image.width, photo.width, photo.path, file: file, line: line)
            XCTAssertEqual(image.height, photo.height, photo.path, file: file, line: line)
            for face in photo.faces {
                let got = predictor.landmarks(in: image, box: face.faceBox)
                let want = face.points
                var err = 0
                for (g, w) in zip(got, want) { err = max(err, abs(g.x - w.x), abs(g.y - w.y)) }
                faces += 1
                if err == 0 { exact += 1 }
                if err > 1 { print("landmarks off by \(err) px: \(photo.path) box \(face.box): \(got) vs \(want)") }
                worst = max(worst, err)
            }
        }
        return (faces, exact, worst)
    }

    private func run(_ name: String) throws {
        guard let predictor = try AlignmentTestModels.predictor() else { throw XCTSkip("no models") }
        guard let shared = TestPaths.shared else {
            throw XCTSkip(TestPaths.skipReason("../shared absent: \(name) parity not checked"))
        }
        let all = try ReferencePhoto.readLines(shared.appendingPathComponent("reference/\(name)"))
        // Debug builds take ~20 ms per LFW photo: every `stride`-th photo unless PAIRMATCH_FULL_PARITY=1.
        let full = ProcessInfo.processInfo.environment["PAIRMATCH_FULL_PARITY"] == "1"
        let stride = full ? 1 : max(1, all.count / 600)
        let photos = Swift.stride(from: 0, to: all.count, by: stride).map { all[$0] }
        let start = Date()
        let (faces, exact, worst) = try compare(photos, root: shared, predictor: predictor)
        print(String(format: "%@: %d faces in %d photos, %d exactly equal (%.4f), max error %d px, %.1f s",
                     name, faces, photos.count, exact, Double(exact) / Double(max(faces, 1)), worst,
                     Date().timeIntervalSince(start)))
        XCTAssertGreaterThan(faces, 0)
        XCTAssertLessThanOrEqual(worst, 1, "\(name): landmark error above 1 px")
    }

    func testLFWViewOneLandmarksMatchDlib() throws { try run("lfw-view1_mmod_up0.jsonl") }

    func testExampleLandmarksMatchDlib() throws { try run("examples_mmod_up0.jsonl") }
}
