import Foundation
import ImageInput
import TestSupport
import WeightStore
import XCTest
@testable import FaceAlignment

/// The cascade on a hand-built model small enough to follow by hand (2 landmarks, 2 levels, 2 trees of
/// depth 1, 3 feature pixels per level), plus the loader's refusals.
final class LandmarkPredictorTests: XCTestCase {
    /// Box (0,0)–(20,20): normalised coordinates × 20 are pixels.
    private let box = FaceBox(left: 0, top: 0, right: 20, bottom: 20)

    private func tinyArchive(kind: String = LandmarkPredictor.kind) -> WeightArchive {
        var a = WeightArchive(kind: kind, formatVersion: 1)
        for (name, v) in [("landmark_count", 2), ("cascade_levels", 2), ("trees_per_level", 2),
                          ("tree_depth", 1), ("feature_pixels", 3)] {
            a.set(attribute: name, .integer(Int64(v)))
        }
        a.set(Tensor(shape: [2, 2], values: [0.3, 0.5, 0.7, 0.5]), at: "initial_shape")
        // [levels, trees, 1]: level 0 tree 0: I0 − I1 > 10; tree 1: I2 − I1 > 0.
        //                     level 1 tree 0: I0 − I1 > 100; tree 1: I1 − I0 > −200.
        a.set(Tensor(shape: [2, 2, 1], values: [0, 2, 0, 1]), at: "split_feature_a")
        a.set(Tensor(shape: [2, 2, 1], values: [1, 1, 1, 0]), at: "split_feature_b")
        a.set(Tensor(shape: [2, 2, 1], values: [10, 0, 100, -200]), at: "split_threshold")
        // [levels, trees, 2 leaves, 4]
        a.set(Tensor(shape: [2, 2, 2, 4], values: [
            0.1, 0, 0.1, 0, /**/ -0.1, 0, -0.1, 0,        // level 0 tree 0: left, right
            9, 9, 9, 9, /**/ 0, 0.2, 0, 0.2,              // level 0 tree 1
            0, 0, 0.05, 0, /**/ 9, 9, 9, 9,               // level 1 tree 0
            -0.05, 0, 0, 0, /**/ 9, 9, 9, 9,              // level 1 tree 1
        ]), at: "leaf_values")
        a.set(Tensor(shape: [2, 3], values: [0, 1, 0, 0, 1, 1]), at: "anchor_index")
        a.set(Tensor(shape: [2, 3, 2], values: [0, 0, 0, 0, -1, 0, /**/ 0.1, 0, 0, -0.2, 0, 0]), at: "deltas")
        return a
    }

    /// Level 0 reads (6,10) = 100, (14,10) = 50 and (−14,10) outside = 0: tree 0 goes left (+0.1 in x),
    /// tree 1 right (+0.2 in y). Level 1 (a pure translation, so M ≈ I) reads (10,14) = 200 and
    /// (16,10) = 30: both trees go left (+0.05 on x1, −0.05 on x0). Final: (0.35, 0.7), (0.85, 0.7).
    private func tinyImage() -> RGBImage {
        var image = RGBImage(width: 21, height: 21)
        image[6, 10] = RGBPixel(r: 100, g: 101, b: 101)   // (302)/3 = 100
        image[14, 10] = RGBPixel(r: 50, g: 50, b: 51)     // 151/3 = 50
        image[10, 14] = RGBPixel(r: 200, g: 200, b: 200)
        image[16, 10] = RGBPixel(r: 30, g: 30, b: 30)
        return image
    }

    func testTreeTraversalOnHandBuiltModel() throws {
        let predictor = try LandmarkPredictor(archive: tinyArchive())
        XCTAssertEqual(predictor.landmarkCount, 2)
        let shape = predictor.normalizedShape(in: tinyImage(), box: box)
        let x0: Float = 0.3 + 0.1 + 0 + 0 - 0.05, x1: Float = 0.7 + 0.1 + 0 + 0.05 + 0
        let y: Float = 0.5 + 0 + 0.2 + 0 + 0
        XCTAssertEqual(shape, [x0, y, x1, y])
        XCTAssertEqual(predictor.landmarks(in: tinyImage(), box: box), [Point(x: 7, y: 14), Point(x: 17, y: 14)])
        let sub = predictor.subpixelLandmarks(in: tinyImage(), box: box)
        XCTAssertEqual(sub[0].x, 20 * Double(x0), accuracy: 1e-12)
        XCTAssertEqual(sub[1].y, 20 * Double(y), accuracy: 1e-12)
    }

    /// With a black image every comparison is 0 − 0: tree 0 of level 0 goes right, and so on.
    func testBlackImageTakesOtherBranches() throws {
        let predictor = try LandmarkPredictor(archive: tinyArchive())
        let shape = predictor.normalizedShape(in: RGBImage(width: 21, height: 21), box: box)
        // level 0: 0 > 10 no → right (−0.1 x); 0 > 0 no → right (+0.2 y);
        // level 1: 0 > 100 no → right (+9); 0 > −200 yes → left (−0.05 x0).
        let x0: Float = 0.3 - 0.1 + 0 + 9 - 0.05, x1: Float = 0.7 - 0.1 + 0 + 9 + 0
        let y: Float = 0.5 + 0 + 0.2 + 9 + 0
        XCTAssertEqual(shape, [x0, y, x1, y])
    }

    func testRefusesOtherKinds() throws {
        let dir = TestPaths.temporaryDirectory("facealignment")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("encoder.h5")
        try tinyArchive(kind: "pairmatch.encoder").write(to: url)
        XCTAssertThrowsError(try LandmarkPredictor(contentsOf: url)) { error in
            guard case WeightStoreError.wrongKind(_, "pairmatch.landmarks", "pairmatch.encoder") = error else {
                return XCTFail("\(error)")
            }
        }
        let good = dir.appendingPathComponent("landmarks.h5")
        try tinyArchive().write(to: good)
        XCTAssertEqual(try LandmarkPredictor(contentsOf: good).treesPerLevel, 2)
    }

    func testRefusesBadShapesAndIndices() {
        var a = tinyArchive()
        a.set(Tensor(shape: [2, 2, 2, 3], values: Array(repeating: 0, count: 24)), at: "leaf_values")
        XCTAssertThrowsError(try LandmarkPredictor(archive: a)) { error in
            guard case WeightStoreError.shapeMismatch(_, "leaf_values", [2, 2, 2, 4], [2, 2, 2, 3]) = error else {
                return XCTFail("\(error)")
            }
        }
        var b = tinyArchive()
        b.set(Tensor(shape: [2, 2, 1], values: [0, 3, 0, 1]), at: "split_feature_a")
        XCTAssertThrowsError(try LandmarkPredictor(archive: b)) { error in
            XCTAssertEqual(error as? FaceAlignmentError, .badIndex(path: "<in-memory landmarks archive>",
                           tensor: "split_feature_a", element: 1, value: 3, limit: 3))
        }
        var c = tinyArchive()
        c.set(Tensor(shape: [2, 3], values: [0, 1, 0.5, 0, 1, 1]), at: "anchor_index")
        XCTAssertThrowsError(try LandmarkPredictor(archive: c)) { XCTAssertTrue("\($0)".contains("anchor_index")) }
        var d = tinyArchive()
        d.set(attribute: "tree_depth", .integer(0))
        XCTAssertThrowsError(try LandmarkPredictor(archive: d)) { XCTAssertTrue("\($0)".contains("tree_depth")) }
        var e = tinyArchive()
        e.set(Tensor(shape: [2, 2, 1], values: [10, .nan, 100, -200]), at: "split_threshold")
        XCTAssertThrowsError(try LandmarkPredictor(archive: e)) { XCTAssertTrue("\($0)".contains("not finite")) }
    }
}
