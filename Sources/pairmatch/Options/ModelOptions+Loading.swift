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
    func analyzer(_ face: FaceOptions, encoder options: EncoderOptions? = nil, embed: Bool = true,
                  encoderThreads: Int = 1) throws -> FaceAnalyzer {
        do {
            let encoderFile = options?.file
            let encoder = embed || encoderFile != nil ? try EncoderOptions.load(encoderFile, models: self, threads: encoderThreads) : nil
            if let encoder, encoder.input == .wholeImages {
                guard face.effectiveJitter == 0 else {
                    throw CommandFailure(message: "--jitter applies to face chips; \(encoderFile ?? "the encoder") reads whole images", exitCode: .validationFailure)
                }
                return FaceAnalyzer(detector: nil, landmarks: nil, encoder: encoder)
            }
            let detector = face.aligned ? nil : try FaceDetector(contentsOf: file(.detector))
            let landmarks = face.aligned ? nil : try LandmarkPredictor(contentsOf: file(.landmarks))
            return FaceAnalyzer(detector: detector, landmarks: landmarks, encoder: embed ? encoder : nil)
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure.model(error)
        }
    }

    /// The decision head: `--head FILE`, else `head.h5` in the models folder (installed from
    /// `Data/default-head.h5` by `make models`), checked against the encoder's embedding size and fingerprint;
    /// `prior` shifts it.
    func head(_ options: HeadOptions, encoder: any ImageEncoder, encoderOptions: EncoderOptions? = nil) throws -> LogisticHead {
        let encoderFile = encoderOptions?.file
        let url = options.head.map { URL(fileURLWithPath: $0) } ?? EncoderOptions.siblingHead(of: encoderFile) ?? url.appendingPathComponent("head.h5")
        guard options.head != nil || FileManager.default.fileExists(atPath: url.path) else {
            if let encoderFile {
                throw CommandFailure.model("\(url.path): no head beside the encoder; train one with 'pairmatch train-head PAIRS --encoder \(encoderFile) -o \(url.path)' or pass --head FILE")
            }
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
