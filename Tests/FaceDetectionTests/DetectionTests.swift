import FaceDetection
import ImageInput
import XCTest

final class DetectionTests: XCTestCase {
    func testSortedLargestFirstIsATotalOrder() {
        let small = Detection(box: FaceBox(x: 0, y: 0, width: 10, height: 10), score: 2)
        let big = Detection(box: FaceBox(x: 50, y: 0, width: 40, height: 40), score: 0.1)
        let bigBetter = Detection(box: FaceBox(x: 100, y: 0, width: 40, height: 40), score: 0.5)
        let bigSameScoreLeft = Detection(box: FaceBox(x: 0, y: 60, width: 40, height: 40), score: 0.1)
        let sorted = [small, big, bigSameScoreLeft, bigBetter].sortedLargestFirst()
        XCTAssertEqual(sorted, [bigBetter, big, bigSameScoreLeft, small])
        XCTAssertEqual([bigSameScoreLeft, bigBetter, small, big].sortedLargestFirst(), sorted)
    }
}
