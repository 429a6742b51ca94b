import FaceAlignment
import FaceAnalysis
import FaceDetection
import Foundation
import ImageInput
import PairNet
import TestSupport
import XCTest

/// The whole pipeline on a committed LFW photo against dlib's reference (box, landmarks, descriptor).
final class FaceAnalyzerTests: XCTestCase {
    func testPhotoToEmbeddingMatchesDlib() throws {
        let analyzer = try FaceAnalyzer.withImportedModels()
        let photo = TestPaths.fixtures.appendingPathComponent("FaceDetection/AJ_Cook_0001.jpg")
        let result = try analyzer.analyze(contentsOf: photo, options: AnalysisOptions())
        XCTAssertEqual(result.width, 250)
        XCTAssertEqual(result.faces.count, 1)
        let face = result.faces[0]
        // dlib 19.24 on this photo (../shared/reference/lfw-view1_mmod_up0.jsonl).
        XCTAssertEqual(face.box, FaceBox(left: 63, top: 66, right: 177, bottom: 180))
        XCTAssertEqual(face.landmarks, [Point(x: 157, y: 115), Point(x: 139, y: 116), Point(x: 96, y: 116), Point(x: 113, y: 117), Point(x: 119, y: 146)])
        guard let shared = TestPaths.shared else { throw XCTSkip(TestPaths.skipReason("../shared absent: descriptor not compared")) }
        let line = try String(contentsOf: shared.appendingPathComponent("reference/lfw-view1_mmod_up0.jsonl"), encoding: .utf8)
            .split(separator: "\n").first { $0.contains("\"data/lfw-view1/AJ_Cook/AJ_Cook_0001.jpg\"") }!
        let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        let dlib = ((o["faces"] as! [[String: Any]])[0]["descriptor"] as! [Double]).map { Float($0) }
        XCTAssertLessThan(zip(face.embedding!.values, dlib).map { abs($0 - $1) }.max()!, 1e-4)

        // The batch path gives the same face and embedding.
        let batch = BatchEmbedder(analyzer: analyzer, options: AnalysisOptions(), threads: 2)
        let outcomes = batch.run([photo, photo.deletingLastPathComponent().appendingPathComponent("missing.jpg")])
        XCTAssertEqual(try outcomes[0].get().embedding, face.embedding)
        guard case .failure(let failure) = outcomes[1] else { return XCTFail("a missing photo must fail") }
        XCTAssertTrue(failure.message.hasSuffix("missing.jpg: no such file"), failure.message)
    }
}
