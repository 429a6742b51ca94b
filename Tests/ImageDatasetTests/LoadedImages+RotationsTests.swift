import ImageDataset
import LayerGraph
import XCTest

final class LoadedImagesRotationsTests: XCTestCase {
    func testQuarterTurnsAreClockwiseAndBecomeClasses() throws {
        // One 2-channel 3×3 image per class; channel 1 = channel 0 + 100 so planes stay apart.
        //   1 2 3
        //   4 5 6
        //   7 8 9
        let spec = InputSpec(width: 3, height: 3, channels: 2)
        let plane: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        let image = plane + plane.map { $0 + 100 }
        let loaded = LoadedImages(spec: spec, classNames: ["x", "y"], images: image + image.map { -$0 },
                                  labels: [0, 1], sources: ["x.png", "y.png"])
        let rotated = try loaded.rotatingClasses()
        XCTAssertEqual(rotated.classNames, ["x", "y", "x@90", "y@90", "x@180", "y@180", "x@270", "y@270"])
        XCTAssertEqual(rotated.labels, [0, 1, 2, 3, 4, 5, 6, 7])
        XCTAssertEqual(rotated.sources, ["x.png", "y.png", "x.png@90", "y.png@90", "x.png@180", "y.png@180",
                                         "x.png@270", "y.png@270"])
        let cw90: [Float] = [7, 4, 1, 8, 5, 2, 9, 6, 3]
        let r180: [Float] = [9, 8, 7, 6, 5, 4, 3, 2, 1]
        let cw270: [Float] = [3, 6, 9, 2, 5, 8, 1, 4, 7]
        XCTAssertEqual(Array(rotated.image(0)), image)
        XCTAssertEqual(Array(rotated.image(2)), cw90 + cw90.map { $0 + 100 })
        XCTAssertEqual(Array(rotated.image(4)), r180 + r180.map { $0 + 100 })
        XCTAssertEqual(Array(rotated.image(6)), cw270 + cw270.map { $0 + 100 })
        XCTAssertEqual(Array(rotated.image(3)), (cw90 + cw90.map { $0 + 100 }).map { -$0 })
    }

    func testNonSquareInputIsRefused() {
        let spec = InputSpec(width: 3, height: 2, channels: 1)
        let loaded = LoadedImages(spec: spec, classNames: ["x"], images: [Float](repeating: 0, count: 6), labels: [0])
        XCTAssertEqual(DatasetFixtures.datasetError { try loaded.rotatingClasses() },
                       .rotationsNeedSquareInput(width: 3, height: 2))
    }
}
