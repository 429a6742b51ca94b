import FaceDetection
import ImageInput
import XCTest

/// The tiled pyramid layout and the level ↔ image coordinate mapping, on synthetic sizes. Expected layouts were
/// worked out from dlib's `compute_tiled_image_pyramid_details` (pyramid_down<6>, padding 10, outer 11).
final class TiledPyramidTests: XCTestCase {
    let geometry = TiledPyramidGeometry(downN: 6, padding: 10, outerPadding: 11)

    func testLevelSizesShrinkByFiveSixthsDownToFiveRows() {
        let pyr = PyramidDown(6)
        XCTAssertEqual(pyr.downsampledSize(height: 250, width: 250).height, 208)
        XCTAssertEqual(pyr.downsampledSize(height: 6, width: 12).height, 5)   // ⌊5/6·6⌋ = 5 despite rounding in 5/6
        let layout = geometry.layout(width: 250, height: 250)
        XCTAssertEqual(layout.levels.map(\.height),
                       [250, 208, 173, 144, 120, 100, 83, 69, 57, 47, 39, 32, 26, 21, 17, 14, 11, 9, 7, 5])
        XCTAssertEqual(layout.levels.map(\.width), layout.levels.map(\.height))
    }

    func testLayoutOf250Square() {
        let layout = geometry.layout(width: 250, height: 250)
        XCTAssertEqual(layout.height, 957)
        XCTAssertEqual(layout.width, 272)
        // First column: levels 0–4 stacked at x = 11 with 10 px gaps.
        XCTAssertEqual(layout.levels[0], FaceBox(left: 11, top: 11, right: 260, bottom: 260))
        XCTAssertEqual(layout.levels[1], FaceBox(left: 11, top: 271, right: 218, bottom: 478))
        XCTAssertEqual(layout.levels[4], FaceBox(left: 11, top: 826, right: 130, bottom: 945))
        // Then up the right side, bottom-aligned with the first column's end.
        XCTAssertEqual(layout.levels[5], FaceBox(left: 161, top: 846, right: 260, bottom: 945))
        XCTAssertEqual(layout.levels[6], FaceBox(left: 178, top: 753, right: 260, bottom: 835))
        XCTAssertEqual(layout.levels[19], FaceBox(left: 256, top: 269, right: 260, bottom: 273))
    }

    func testLayoutOfLandscapeAndTinyImages() {
        let hd = geometry.layout(width: 1280, height: 720)
        XCTAssertEqual(hd.height, 2644)
        XCTAssertEqual(hd.width, 1302)
        XCTAssertEqual(hd.levels.count, 26)
        XCTAssertEqual(hd.levels[5], FaceBox(left: 778, top: 2345, right: 1290, bottom: 2632))
        XCTAssertEqual(hd.levels[25], FaceBox(left: 1281, top: 778, right: 1290, bottom: 782))
        let portrait = geometry.layout(width: 60, height: 100)
        XCTAssertEqual(portrait.height, 467)
        XCTAssertEqual(portrait.width, 82)
        XCTAssertEqual(portrait.levels.count, 15)
        let tiny = geometry.layout(width: 3, height: 4)
        XCTAssertEqual(tiny.levels, [FaceBox(left: 11, top: 11, right: 13, bottom: 14)])
        XCTAssertEqual(tiny.height, 26)
        XCTAssertEqual(tiny.width, 25)
    }

    /// Levels never overlap. (Within a column they are 10 px apart; dlib only keeps the right-hand column from
    /// touching level 0, so the gap there can be smaller.)
    func testLevelsAreInsideAndDisjoint() {
        for (w, h) in [(250, 250), (1280, 720), (300, 1000), (37, 80), (500, 333)] {
            let layout = geometry.layout(width: w, height: h)
            for (i, a) in layout.levels.enumerated() {
                XCTAssertTrue(a.left >= 11 && a.top >= 11 && a.right < layout.width - 11 && a.bottom < layout.height - 11,
                              "\(w)×\(h) level \(i) \(a) outside")
                for b in layout.levels[(i + 1)...] {
                    XCTAssertTrue(a.intersection(b).isEmpty, "\(w)×\(h): \(a) and \(b) overlap")
                }
                if i < layout.levels.count - 1, layout.levels[i + 1].left == a.left {
                    XCTAssertEqual(layout.levels[i + 1].top, a.bottom + 11, "\(w)×\(h): first-column gap after level \(i)")
                }
            }
        }
    }

    func testPointMappingBetweenLevels() {
        let pyr = PyramidDown(6)
        XCTAssertEqual(pyr.up(10, levels: 1), 10 * 1.2 + 0.3, accuracy: 1e-12)
        XCTAssertEqual(pyr.up(10, levels: 2), (10 * 1.2 + 0.3) * 1.2 + 0.3, accuracy: 1e-12)
        XCTAssertEqual(pyr.down(pyr.up(37.25, levels: 5), levels: 5), 37.25, accuracy: 1e-9)
        XCTAssertEqual(pyr.up(-4, levels: 0), -4)
    }

    /// A tensor-space window inside level k maps to the image by subtracting the level's origin and scaling
    /// up k times; image → tensor at that level's scale inverts it.
    func testTensorToImageAndBack() {
        let layout = geometry.layout(width: 250, height: 250)
        let pyr = PyramidDown(6)
        for k in [0, 1, 3, 5, 8] {
            let o = layout.levels[k]
            let window = RealRect(centerX: Double(o.left) + 20, centerY: Double(o.top) + 25, width: 80, height: 80)
            let image = layout.tensorToImage(window)
            XCTAssertEqual(image.left, pyr.up(20 - 39.5, levels: k), accuracy: 1e-9, "level \(k)")
            XCTAssertEqual(image.bottom, pyr.up(25 + 39.5, levels: k), accuracy: 1e-9, "level \(k)")
            let back = layout.imageToTensor(image, scale: pow(pyr.rate, Double(k)))
            XCTAssertEqual(back.left, window.left, accuracy: 1e-9)
            XCTAssertEqual(back.top, window.top, accuracy: 1e-9)
            XCTAssertEqual(back.right, window.right, accuracy: 1e-9)
            XCTAssertEqual(back.bottom, window.bottom, accuracy: 1e-9)
        }
    }

    /// A window centred in padding belongs to the nearest level (first on ties), as dlib's `nearest_rect`.
    func testCentreInPaddingUsesNearestLevel() {
        let layout = geometry.layout(width: 250, height: 250)
        XCTAssertEqual(layout.nearestLevel(x: 100, y: 263), 0)      // 3 px below level 0, 8 px above level 1
        XCTAssertEqual(layout.nearestLevel(x: 100, y: 268), 1)
        XCTAssertEqual(layout.nearestLevel(x: 0, y: 0), 0)           // outer corner
        XCTAssertEqual(layout.nearestLevel(x: 265, y: 500), 10)       // right of level 10 (222…260, 501…539)
        XCTAssertEqual(layout.nearestLevel(x: 265, y: 500), layout.nearestLevel(x: 261, y: 501))
        let window = RealRect(centerX: 100, centerY: 268, width: 80, height: 80)
        let mapped = layout.tensorToImage(window)
        XCTAssertEqual(mapped.top, PyramidDown(6).up(268 - 39.5 - 271, levels: 1), accuracy: 1e-9)
    }

    func testRoundingIsFloorOfHalfUp() {
        let r = RealRect(left: -0.5, top: 0.5, right: 2.4999, bottom: -1.5)
        XCTAssertEqual(r.rounded, FaceBox(left: 0, top: 1, right: 2, bottom: -1))
        XCTAssertEqual(RealRect(centerX: 54, centerY: 54, width: 80, height: 80),
                       RealRect(left: 14.5, top: 14.5, right: 93.5, bottom: 93.5))
    }
}
