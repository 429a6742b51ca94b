import FaceDetection
import Foundation
import ImageInput
import TestSupport
import XCTest

/// `DetectionOptions` on a fixture photo (dlib's box there: [63, 66, 177, 180], a 115 px face).
final class FaceDetectorOptionsTests: XCTestCase {
    static let detector: FaceDetector? = {
        guard let models = TestPaths.models else { return nil }
        return try? FaceDetector(contentsOf: models.appendingPathComponent("detector.h5"))
    }()
    let reference = FaceBox(left: 63, top: 66, right: 177, bottom: 180)

    private func setUp() throws -> (FaceDetector, RGBImage) {
        guard let d = Self.detector else { throw XCTSkip(TestPaths.skipReason("detector.h5 not found")) }
        let image = try ImageDecoder.decode(contentsOf: TestPaths.fixtures.appendingPathComponent("FaceDetection/AJ_Cook_0001.jpg"))
        return (d, image)
    }

    private func scaled(_ b: FaceBox, _ f: Double) -> FaceBox {
        FaceBox(left: Int(Double(b.left) * f), top: Int(Double(b.top) * f), right: Int(Double(b.right) * f), bottom: Int(Double(b.bottom) * f))
    }

    /// A 100 × 100 copy holds a ~46 px face: too small for the 80 px window, found by the automatic retry.
    func testSmallImageIsRetriedWithUpsampling() throws {
        let (detector, image) = try setUp()
        let small = image.resized(width: 100, height: 100)
        XCTAssertEqual(detector.detect(in: small, options: .dlibCompatible()), [])
        let found = detector.detect(in: small)
        XCTAssertEqual(found.count, 1)
        XCTAssertGreaterThan(found.first.map { $0.box.intersectionOverUnion(scaled(reference, 0.4)) } ?? 0, 0.6)
        var noRetry = DetectionOptions()
        noRetry.smallImageMaxSide = 100          // 100 is not below 100: not small
        XCTAssertEqual(detector.detect(in: small, options: noRetry), [])
    }

    func testUpsamplingMapsBoxesBack() throws {
        let (detector, image) = try setUp()
        let found = detector.detect(in: image, options: .dlibCompatible(upsampling: 1))
        XCTAssertGreaterThanOrEqual(found.count, 1)
        XCTAssertGreaterThan(found[0].box.intersectionOverUnion(reference), 0.7, "\(found)")
    }

    func testMinimumFaceSizeAndThreshold() throws {
        let (detector, image) = try setUp()
        XCTAssertEqual(detector.detect(in: image, options: DetectionOptions(minimumFaceSize: 100)).count, 1)
        XCTAssertEqual(detector.detect(in: image, options: DetectionOptions(minimumFaceSize: 120)), [])
        XCTAssertEqual(detector.detect(in: image, options: DetectionOptions(scoreThreshold: 2)), [])
        let loose = detector.detect(in: image, options: DetectionOptions(scoreThreshold: -0.5, retryUpsampledWhenEmpty: false))
        XCTAssertGreaterThanOrEqual(loose.count, 1)
        XCTAssertEqual(loose, loose.sortedLargestFirst())
    }

    /// Above the pixel bound the image is scaled down, detected, and the box mapped back.
    func testPixelBoundScalesDown() throws {
        let (detector, image) = try setUp()
        let found = detector.detect(in: image, options: DetectionOptions(retryUpsampledWhenEmpty: false, maxPixels: 40_000))
        XCTAssertEqual(found.count, 1)
        XCTAssertGreaterThan(found.first.map { $0.box.intersectionOverUnion(reference) } ?? 0, 0.7, "\(found)")
    }

    func testConcurrentCallsAgree() throws {
        let (detector, image) = try setUp()
        let expected = detector.detect(in: image, options: .dlibCompatible())
        final class Box: @unchecked Sendable { var results = [[Detection]](repeating: [], count: 3); let lock = NSLock() }
        let box = Box()
        DispatchQueue.concurrentPerform(iterations: 3) { i in
            let r = detector.detect(in: image, options: .dlibCompatible())
            box.lock.lock(); box.results[i] = r; box.lock.unlock()
        }
        for r in box.results { XCTAssertEqual(r, expected) }
    }
}
