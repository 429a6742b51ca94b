import FaceAlignment
import FaceAnalysis
import FaceDetection
import Foundation
import LogisticHead
import ModelImport
import PairNet
import WeightStore

/// Which model files a job uses: the imported models folder, an optional trained encoder, an optional head.
/// Both front ends fill it from their options (`--models`, `--encoder`, `--head`, `--prior`).
public struct ModelSettings: Sendable {
    /// The imported models folder (`encoder.h5`, `detector.h5`, `landmarks.h5`, `head.h5`).
    public var folder: URL
    /// A trained encoder file (`train-encoder`'s output) instead of the folder's face ResNet; nil: the folder's.
    public var encoderFile: String?
    /// The decision head; nil: the trained encoder's sibling head (`X.h5` → `X.head.h5`) when `encoderFile` is given,
    /// else `head.h5` in the folder.
    public var headFile: String?
    /// The prior probability that a pair is the same person (0 < p < 1); nil: the head's own (0.5).
    public var prior: Double?
    /// Inputs are already aligned 150×150 chips: no detector or landmarks are loaded.
    public var aligned: Bool
    /// Jittered copies per chip (0: none); refused with an encoder that reads whole images.
    public var jitter: Int

    public init(folder: URL, encoderFile: String? = nil, headFile: String? = nil, prior: Double? = nil, aligned: Bool = false, jitter: Int = 0) {
        self.folder = folder
        self.encoderFile = encoderFile
        self.headFile = headFile
        self.prior = prior
        self.aligned = aligned
        self.jitter = jitter
    }

    /// The path of one of the folder's model files, or a `.model` failure that says which command creates it.
    public func file(_ model: ModelFile) throws(WorkflowError) -> URL {
        let file = folder.appendingPathComponent(model.fileName)
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw WorkflowError(.model, "\(file.path): no \(model.rawValue) model; create it with 'pairmatch models import --from DIR' (or 'make models')")
        }
        return file
    }

    /// Every file these settings may read (for the output-safety check: no output may be one of them).
    public var inputPaths: [String] {
        ModelFile.allCases.map { folder.appendingPathComponent($0.fileName).path } + [folder.appendingPathComponent("head.h5").path]
            + [encoderFile, headFile].compactMap { $0 }
    }

    /// The head file these settings use (see `headFile`).
    public var headURL: URL {
        headFile.map { URL(fileURLWithPath: $0) } ?? Self.siblingHead(of: encoderFile) ?? folder.appendingPathComponent("head.h5")
    }

    /// The head `train-encoder` wrote beside a trained encoder (`X.h5` → `X.head.h5`), if `encoder` names one.
    public static func siblingHead(of encoder: String?) -> URL? {
        guard let encoder else { return nil }
        let base = encoder.lowercased().hasSuffix(".h5") ? String(encoder.dropLast(3)) : encoder
        return URL(fileURLWithPath: base + ".head.h5")
    }
}

/// The models of a job, loaded once and shared by every request (immutable, safe from any thread): the pipeline
/// (detector, landmarks, encoder) and the decision head.
public final class LoadedModels: Sendable {
    public let settings: ModelSettings
    /// Photo → faces → embeddings.
    public let analyzer: FaceAnalyzer
    /// The decision head (nil when loaded with `head: false`).
    public let head: LogisticHead?

    init(settings: ModelSettings, analyzer: FaceAnalyzer, head: LogisticHead?) {
        self.settings = settings
        self.analyzer = analyzer
        self.head = head
    }

    /// The encoder (present unless loaded with `embed: false`).
    public var encoder: (any ImageEncoder)? { analyzer.encoder }

    /// Loads what a job needs: the encoder when `embed` (or when `settings.encoderFile` is given), the detector and
    /// landmarks unless the settings say aligned or the encoder reads whole images, and the head when `head`
    /// (checked against the encoder's fingerprint and size). Missing or bad files throw `.model` naming the file.
    /// `encoderThreads`: threads the face ResNet may use inside one batch (1 when the job parallelises over images).
    public static func load(_ settings: ModelSettings, embed: Bool = true, head needsHead: Bool = true,
                            encoderThreads: Int = 1) throws(WorkflowError) -> LoadedModels {
        let encoder = embed || settings.encoderFile != nil ? try loadEncoder(settings, threads: encoderThreads) : nil
        let analyzer: FaceAnalyzer
        if let encoder, encoder.input == .wholeImages {
            guard settings.jitter <= 1 else {
                throw WorkflowError(.usage, "--jitter applies to face chips; \(settings.encoderFile ?? "the encoder") reads whole images")
            }
            analyzer = FaceAnalyzer(detector: nil, landmarks: nil, encoder: encoder)
        } else {
            do {
                let detector = settings.aligned ? nil : try FaceDetector(contentsOf: settings.file(.detector))
                let landmarks = settings.aligned ? nil : try LandmarkPredictor(contentsOf: settings.file(.landmarks))
                analyzer = FaceAnalyzer(detector: detector, landmarks: landmarks, encoder: embed ? encoder : nil)
            } catch let e as WorkflowError {
                throw e
            } catch {
                throw WorkflowError(.model, "\(error)")
            }
        }
        let head = needsHead && embed ? try loadHead(settings, encoder: encoder!) : nil
        return LoadedModels(settings: settings, analyzer: analyzer, head: head)
    }

    /// The encoder of `settings.encoderFile` (nil: the folder's face ResNet).
    public static func loadEncoder(_ settings: ModelSettings, threads: Int = 1) throws(WorkflowError) -> any ImageEncoder {
        let url: URL
        if let file = settings.encoderFile { url = URL(fileURLWithPath: file) } else { url = try settings.file(.encoder) }
        do {
            let archive = try WeightArchive.read(from: url)
            if archive.kind == "pairmatch.encoder" { return try Encoder(archive: archive, threads: threads) }
            return try TrainedImageEncoder(archive: archive)
        } catch {
            throw WorkflowError(.model, "\(error)")
        }
    }

    /// The decision head for `encoder` (see `ModelSettings.headURL`), shifted to `settings.prior`.
    public static func loadHead(_ settings: ModelSettings, encoder: any ImageEncoder) throws(WorkflowError) -> LogisticHead {
        let url = settings.headURL
        guard settings.headFile != nil || FileManager.default.fileExists(atPath: url.path) else {
            if let encoderFile = settings.encoderFile {
                throw WorkflowError(.model, "\(url.path): no head beside the encoder; train one with 'pairmatch train-head PAIRS --encoder \(encoderFile) -o \(url.path)' or pass --head FILE")
            }
            throw WorkflowError(.model, "\(url.path): no head; install the default one with 'make models' (copies Data/default-head.h5) or pass --head FILE")
        }
        do {
            var head = try LogisticHead.load(from: url, expectingEncoder: encoder.fingerprint, dimension: encoder.embeddingDimension)
            if let prior = settings.prior { head = try head.withPrior(prior) }
            return head
        } catch {
            throw WorkflowError(.model, "\(error)")
        }
    }

    /// The head, or a `.model` failure when these models were loaded without one.
    public func requireHead() throws(WorkflowError) -> LogisticHead {
        guard let head else { throw WorkflowError(.model, "no decision head is loaded for this job") }
        return head
    }

    /// The encoder, or a `.model` failure when these models were loaded without one.
    public func requireEncoder() throws(WorkflowError) -> any ImageEncoder {
        guard let encoder else { throw WorkflowError(.model, "no encoder is loaded for this job") }
        return encoder
    }
}
