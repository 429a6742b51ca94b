import FaceAlignment
import FaceAnalysis
import FaceDetection
import PairNet
import TestSupport
import XCTest

extension FaceAnalyzer {
    /// The whole pipeline on the imported models, or a skip naming why they are absent.
    static func withImportedModels() throws -> FaceAnalyzer {
        guard let models = TestPaths.models else { throw XCTSkip(TestPaths.skipReason("no imported models (run make models)")) }
        return FaceAnalyzer(detector: try FaceDetector(contentsOf: models.appendingPathComponent("detector.h5")),
                            landmarks: try LandmarkPredictor(contentsOf: models.appendingPathComponent("landmarks.h5")),
                            encoder: try Encoder(contentsOf: models.appendingPathComponent("encoder.h5")))
    }
}
