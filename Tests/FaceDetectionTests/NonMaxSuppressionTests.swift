import FaceDetection
import ImageInput
import XCTest

final class NonMaxSuppressionTests: XCTestCase {
    let dlibNMS = OverlapTest(iouThreshold: 0.3382761351109955, coveredThreshold: 1.0)

    func testOverlapUsesTheBoundingBoxNotTheUnion() {
        // 80×80 boxes offset by (20, 20): intersection 60·60 = 3600; bounding box 100·100 = 10000 → 0.36 > 0.338
        // (true IoU 3600/9200 = 0.39). Offset (22, 22): 58² = 3364 / 102² = 0.323 < 0.338 although the true IoU
        // 3364/9436 = 0.357 is above the threshold: dlib keeps both.
        let a = FaceBox(x: 0, y: 0, width: 80, height: 80)
        XCTAssertTrue(dlibNMS.overlaps(a, FaceBox(x: 20, y: 20, width: 80, height: 80)))
        XCTAssertFalse(dlibNMS.overlaps(a, FaceBox(x: 22, y: 22, width: 80, height: 80)))
        XCTAssertGreaterThan(a.intersectionOverUnion(FaceBox(x: 22, y: 22, width: 80, height: 80)), 0.338)
        XCTAssertFalse(dlibNMS.overlaps(a, FaceBox(x: 80, y: 0, width: 80, height: 80)))
    }

    func testContainmentOnlyCountsBelowFullCoverThreshold() {
        let outer = FaceBox(x: 0, y: 0, width: 100, height: 100), inner = FaceBox(x: 40, y: 40, width: 20, height: 20)
        XCTAssertFalse(dlibNMS.overlaps(outer, inner))                 // covered 1.0 is not > 1.0; IoU 0.04
        XCTAssertTrue(OverlapTest(iouThreshold: 0.338, coveredThreshold: 0.9).overlaps(outer, inner))
        XCTAssertTrue(OverlapTest(iouThreshold: 0.338, coveredThreshold: 0.9).overlaps(inner, outer))
    }

    func testGreedyByScore() {
        let d = [
            Detection(box: FaceBox(x: 0, y: 0, width: 80, height: 80), score: 0.5),
            Detection(box: FaceBox(x: 10, y: 10, width: 80, height: 80), score: 0.9),     // best: suppresses 0 and 2
            Detection(box: FaceBox(x: 20, y: 20, width: 80, height: 80), score: 0.7),
            Detection(box: FaceBox(x: 200, y: 0, width: 80, height: 80), score: 0.1),     // far away: kept
            Detection(box: FaceBox(x: 215, y: 0, width: 80, height: 80), score: 0.05),    // overlaps the 0.1 one
        ]
        let kept = nonMaxSuppression(d, test: dlibNMS)
        XCTAssertEqual(kept.map(\.score), [0.9, 0.1])
    }

    func testChainIsNotTransitive() {
        // B overlaps A and C, A and C do not overlap; A best: B suppressed, so C survives.
        let a = Detection(box: FaceBox(x: 0, y: 0, width: 80, height: 80), score: 3)
        let b = Detection(box: FaceBox(x: 30, y: 0, width: 80, height: 80), score: 2)
        let c = Detection(box: FaceBox(x: 60, y: 0, width: 80, height: 80), score: 1)
        XCTAssertTrue(dlibNMS.overlaps(a.box, b.box))
        XCTAssertTrue(dlibNMS.overlaps(b.box, c.box))
        XCTAssertFalse(dlibNMS.overlaps(a.box, c.box))
        XCTAssertEqual(nonMaxSuppression([c, b, a], test: dlibNMS).map(\.score), [3, 1])
    }

    func testTiesKeepInputOrder() {
        let a = Detection(box: FaceBox(x: 0, y: 0, width: 80, height: 80), score: 1)
        let b = Detection(box: FaceBox(x: 5, y: 0, width: 80, height: 80), score: 1)
        XCTAssertEqual(nonMaxSuppression([a, b], test: dlibNMS), [a])
        XCTAssertEqual(nonMaxSuppression([b, a], test: dlibNMS), [b])
        XCTAssertEqual(nonMaxSuppression([], test: dlibNMS), [])
    }
}
