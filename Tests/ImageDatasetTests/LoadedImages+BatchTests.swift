import ImageDataset
import LayerGraph
import SeededRandom
import XCTest

final class LoadedImagesBatchTests: XCTestCase {
    /// 4 images of `[1, 5, 5]`: image i is white (1) with a dark pixel whose place and value depend on i.
    private func images() -> LoadedImages {
        let spec = InputSpec(width: 5, height: 5, channels: 1)
        var pixels: [Float] = []
        for i in 0..<4 {
            var p = [Float](repeating: 1, count: 25)
            p[6 + i] = -Float(i + 1) / 4
            pixels += p
        }
        return LoadedImages(spec: spec, classNames: ["a", "b"], images: pixels, labels: [0, 0, 1, 1])
    }

    func testGatherCopiesImagesInBatchOrder() {
        let data = images()
        let batch = data.gather([3, 0, 3])   // [3, 1, 5, 5]
        XCTAssertEqual(batch.count, 75)
        XCTAssertEqual(Array(batch[0..<25]), Array(data.image(3)))
        XCTAssertEqual(Array(batch[25..<50]), Array(data.image(0)))
        XCTAssertEqual(Array(batch[50..<75]), Array(data.image(3)))
    }

    func testAugmentedGatherIsSeededAndAdvancesTheGeneratorByB() {
        let data = images()
        var rng = SplitMix64(seed: 4)
        XCTAssertEqual(data.gather([1, 2], augmentation: .none, rng: &rng), data.gather([1, 2]))
        XCTAssertEqual(rng.state, SplitMix64(seed: 4).state &+ 2 &* 0x9E37_79B9_7F4A_7C15)
        let augment = RandomAffine(maxShift: 1.5, maxRotation: 20)
        var r1 = SplitMix64(seed: 8), r2 = SplitMix64(seed: 8)
        let a = data.gather([0, 1, 2, 3], augmentation: augment, rng: &r1)
        XCTAssertEqual(a, data.gather([0, 1, 2, 3], augmentation: augment, rng: &r2))
        XCTAssertEqual(r1.state, r2.state)
        XCTAssertNotEqual(a, data.gather([0, 1, 2, 3]))
        XCTAssertNotEqual(data.gather([0, 1, 2, 3], augmentation: augment, rng: &r1), a)   // next draws differ
        // Border-mode fill: the background stays white at the corners.
        for b in 0..<4 { XCTAssertEqual(a[b * 25], 1, accuracy: 1e-6); XCTAssertEqual(a[b * 25 + 24], 1, accuracy: 1e-6) }
    }
}
