@testable import FaceAnalysis
import ImageInput
import PairNet
import XCTest

final class FaceChoiceTests: XCTestCase {
    private func face(_ box: FaceBox, score: Double) throws -> AnalyzedFace {
        AnalyzedFace(box: box, score: score, landmarks: [], chip: try FaceChip(pixels: [UInt8](repeating: 0, count: FaceChip.byteCount)), embedding: nil)
    }

    /// Faces arrive largest first; `center` and `score` reorder them, stably.
    func testOrderings() throws {
        let big = try face(FaceBox(left: 0, top: 0, right: 99, bottom: 99), score: 1.0)          // corner, largest
        let centred = try face(FaceBox(left: 100, top: 100, right: 149, bottom: 149), score: 1.2) // centre of 250×250
        let small = try face(FaceBox(left: 200, top: 0, right: 229, bottom: 29), score: 1.1)
        let faces = [big, centred, small]
        XCTAssertEqual(FaceChoice.largest.ordered(faces, width: 250, height: 250).map(\.box), faces.map(\.box))
        XCTAssertEqual(FaceChoice.center.ordered(faces, width: 250, height: 250).map(\.box), [centred, big, small].map(\.box))
        XCTAssertEqual(FaceChoice.score.ordered(faces, width: 250, height: 250).map(\.box), [centred, small, big].map(\.box))
        let tie = try face(FaceBox(left: 0, top: 150, right: 99, bottom: 249), score: 1.0)
        XCTAssertEqual(FaceChoice.score.ordered([big, tie], width: 250, height: 250).map(\.box), [big.box, tie.box])
    }
}
