import FaceAlignment
import Foundation
import ImageInput
import PairNet
import TestSupport
import XCTest

/// Our chips against dlib's, from dlib's own landmarks.
final class ChipParityTests: XCTestCase {
    /// Per-sample |ours − dlib| over a set of chips.
    struct Difference {
        var chips = 0, identicalChips = 0, samples = 0, sum = 0, max = 0
        var mean: Double { Double(sum) / Double(Swift.max(samples, 1)) }

        mutating func add(_ ours: [UInt8], _ theirs: [UInt8]) {
            precondition(ours.count == theirs.count)
            var chipMax = 0
            for (a, b) in zip(ours, theirs) {
                let d = abs(Int(a) - Int(b))
                sum += d
                chipMax = Swift.max(chipMax, d)
            }
            samples += ours.count
            chips += 1
            if chipMax == 0 { identicalChips += 1 }
            max = Swift.max(max, chipMax)
        }

        var summary: String {
            String(format: "%d chips, %d identical, mean |Δ| %.4f grey levels, max %d", chips, identicalChips, mean, max)
        }
    }

    /// `reference/chips/Name_0001_0.png` is face 0 of `data/lfw-view1/Name/Name_0001.jpg` as dlib's HOG detector
    /// (upsample 1) found it; Fixtures/FaceAlignment/lfw_chips_hog_up1.jsonl holds those boxes and dlib's
    /// landmarks (see the README there). Our landmarks from dlib's box, then our chip, against dlib's chip.
    func testLFWChipsMatchDlib() throws {
        guard let shared = TestPaths.shared else {
            throw XCTSkip(TestPaths.skipReason("../shared absent: LFW chip parity not checked"))
        }
        let predictor = try AlignmentTestModels.predictor()
        let photos = try ReferencePhoto.readLines(AlignmentFixtures.folder.appendingPathComponent("lfw_chips_hog_up1.jsonl"))
        let chipDir = shared.appendingPathComponent("reference/chips")
        var fromDlibLandmarks = Difference(), fromOurLandmarks = Difference()
        var landmarkFaces = 0, landmarksEqual = 0
        for photo in photos {
            let image = try photo.load(relativeTo: shared)
            let stem = URL(fileURLWithPath: photo.path).deletingPathExtension().lastPathComponent
            for (k, face) in photo.faces.enumerated() {
                let chipURL = chipDir.appendingPathComponent("\(stem)_\(k).png")
                guard FileManager.default.fileExists(atPath: chipURL.path) else { continue }
                let theirs = try ImageDecoder.decode(contentsOf: chipURL)
                let ours = ChipExtractor.chip(from: image, landmarks: face.points)
                let before = fromDlibLandmarks.identicalChips
                fromDlibLandmarks.add(ours.pixels, theirs.pixels)
                if fromDlibLandmarks.identicalChips == before { print("chip \(stem)_\(k) differs from dlib's") }
                if let predictor {
                    let points = predictor.landmarks(in: image, box: face.faceBox)
                    landmarkFaces += 1
                    if points == face.points { landmarksEqual += 1 }
                    // Equal landmarks give the same chip: only re-extract when they differ (debug builds are slow).
                    let mine = points == face.points ? ours : ChipExtractor.chip(from: image, landmarks: points)
                    fromOurLandmarks.add(mine.pixels, theirs.pixels)
                }
            }
        }
        print("LFW chips vs dlib (dlib's landmarks): \(fromDlibLandmarks.summary)")
        if predictor != nil {
            print("LFW chips vs dlib (our landmarks): \(fromOurLandmarks.summary); landmarks equal \(landmarksEqual)/\(landmarkFaces)")
            XCTAssertEqual(landmarksEqual, landmarkFaces)
            XCTAssertLessThanOrEqual(fromOurLandmarks.mean, 1.0)
        }
        XCTAssertEqual(fromDlibLandmarks.chips, 209)
        XCTAssertGreaterThanOrEqual(fromDlibLandmarks.identicalChips, 207)
        XCTAssertLessThanOrEqual(fromDlibLandmarks.mean, 1.0)
    }

    /// The committed fixtures (always run): an LFW face and a large face that needs dlib's image pyramid.
    func testFixtureChipsMatchDlib() throws {
        let predictor = try AlignmentTestModels.predictor()
        let photos = try ReferencePhoto.readLines(AlignmentFixtures.folder.appendingPathComponent("faces.jsonl"))
        XCTAssertEqual(photos.count, 2)
        for photo in photos {
            let image = try photo.load(relativeTo: AlignmentFixtures.folder)
            XCTAssertEqual([image.width, image.height], [photo.width, photo.height])
            let stem = URL(fileURLWithPath: photo.path).deletingPathExtension().lastPathComponent
            for (k, face) in photo.faces.enumerated() {
                let theirs = try ImageDecoder.decode(contentsOf: AlignmentFixtures.folder.appendingPathComponent("\(stem)_\(k).png"))
                XCTAssertEqual(ChipExtractor.chip(from: image, landmarks: face.points).pixels, theirs.pixels, stem)
                if let predictor {
                    XCTAssertEqual(predictor.landmarks(in: image, box: face.faceBox), face.points, stem)
                }
            }
        }
    }
}
