import FaceAlignment
import FaceAnalysis
import FaceDetection
import Foundation
import LogisticHead
import ModelImport
import PairNet

extension ModelOptions {
    /// The pipeline for these face options: detector and landmarks unless `--aligned`, the encoder when
    /// `embed`. A missing or bad model file is a failure with exit code 3.
    func analyzer(_ face: FaceOptions, embed: Bool = true, encoderThreads: Int = 1) throws -> FaceAnalyzer {
        do {
            let detector = face.aligned ? nil : try FaceDetector(contentsOf: file(.detector))
            let landmarks = face.aligned ? nil : try LandmarkPredictor(contentsOf: file(.landmarks))
            let encoder = embed ? try Encoder(contentsOf: file(.encoder), threads: encoderThreads) : nil
            return FaceAnalyzer(detector: detector, landmarks: landmarks, encoder: encoder)
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure.model(error)
        }
    }

    /// The decision head: `--head FILE`, else `head.h5` in the models folder (installed from
    /// `Data/default-head.h5` by `make models`), checked against the encoder's embedding size and fingerprint;
    /// `prior` shifts it.
    func head(_ options: HeadOptions, encoder: Encoder) throws -> LogisticHead {
        let url = options.head.map { URL(fileURLWithPath: $0) } ?? url.appendingPathComponent("head.h5")
        guard options.head != nil || FileManager.default.fileExists(atPath: url.path) else {
            throw CommandFailure.model("\(url.path): no head; install the default one with 'make models' (copies Data/default-head.h5) or pass --head FILE")
        }
        do {
            var head = try LogisticHead.load(from: url, expectingEncoder: encoder.fingerprint, dimension: encoder.embeddingDimension)
            if let prior = options.prior { head = try head.withPrior(prior) }
            return head
        } catch {
            throw CommandFailure.model(error)
        }
    }
}
