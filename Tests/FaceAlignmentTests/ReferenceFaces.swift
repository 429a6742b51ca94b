import FaceAlignment
import Foundation
import ImageInput
import TestSupport

/// One photo of a dlib reference `.jsonl` (../shared/reference/*_up0.jsonl or a committed fixture):
/// `{"path", "width", "height", "faces": [{"box": [l, t, r, b], "landmarks": [[x, y] × 5], …}]}`.
struct ReferencePhoto: Decodable {
    struct Face: Decodable {
        /// Inclusive dlib rectangle [left, top, right, bottom].
        var box: [Int]
        /// dlib's 5 landmarks, integer pixels.   // [5][2]
        var landmarks: [[Int]]

        var faceBox: FaceBox { FaceBox(left: box[0], top: box[1], right: box[2], bottom: box[3]) }
        var points: [FaceAlignment.Point] { landmarks.map { FaceAlignment.Point(x: $0[0], y: $0[1]) } }
    }

    /// Relative to the shared folder (`data/lfw-view1/Name/Name_0001.jpg`).
    var path: String
    var width: Int
    var height: Int
    var faces: [Face]

    /// Reads every line of a `.jsonl` file.
    static func readLines(_ url: URL) throws -> [ReferencePhoto] {
        let text = try String(contentsOf: url, encoding: .utf8)
        let decoder = JSONDecoder()
        return try text.split(separator: "\n").map { try decoder.decode(ReferencePhoto.self, from: Data($0.utf8)) }
    }

    /// Decodes the photo as dlib saw it (no EXIF rotation: dlib's loaders ignore it).
    func load(relativeTo root: URL) throws -> RGBImage {
        try ImageDecoder.decode(contentsOf: root.appendingPathComponent(path), applyOrientation: false)
    }
}

enum AlignmentFixtures {
    /// `Tests/Fixtures/FaceAlignment` (see its README.md).
    static var folder: URL { TestPaths.fixtures.appendingPathComponent("FaceAlignment") }
}

enum AlignmentTestModels {
    /// The imported landmark model, or nil (with a printed skip reason) when `TestPaths.models` is absent.
    static func predictor() throws -> LandmarkPredictor? {
        guard let models = TestPaths.models else {
            TestPaths.skipReason("no imported models (set PAIRMATCH_MODELS or run `pairmatch models import`)")
            return nil
        }
        return try cached ?? {
            let p = try LandmarkPredictor(contentsOf: models.appendingPathComponent("landmarks.h5"))
            cached = p
            return p
        }()
    }

    nonisolated(unsafe) private static var cached: LandmarkPredictor?
}
