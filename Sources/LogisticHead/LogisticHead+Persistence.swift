import FaceEmbedding
import Foundation
import PairMetrics
import WeightStore

/// Head files: a `WeightArchive` of kind `pairmatch.head`, format_version 1.
///
/// Tensors: `weights` `[D]` float32 (D = the embedding dimension, 128 for the face ResNet); `bias` `[1]` float32,
/// the 50/50-prior intercept (`balancedBias`).
/// Root attributes: `embedding_dimension` (integer D, equal to the weights' length; absent in files written before
/// heads of other sizes existed, which are all 128-d: D is then the weights' length), `feature_kind` ("abs" |
/// "sq"), `threshold` (float, probability), `prior` (float, P(same person) the probabilities assume),
/// `encoder_fingerprint` (string), `created` (ISO-8601 UTC string, whole seconds). With a training summary also: `lambda` (float), `lambda_selection` ("fixed" |
/// "cross-validated"), `pairs`, `positives`, `negatives`, `iterations` (integers) and, when cross-validated,
/// `cv_folds` (integer) and `cv_accuracy`, `cv_auc`, `cv_eer`, `cv_brier`, `cv_ece` with `…_std` (floats,
/// mean and sample standard deviation over the folds).
extension LogisticHead {
    /// Writes the head atomically (temp file in the same folder, fsync, rename): a failed save leaves any
    /// previous file untouched. Throws `.store(.writeFailed…)`.
    public func save(to url: URL) throws(LogisticHeadError) {
        do {
            try archive().write(to: url)
        } catch let error as WeightStoreError {
            throw .store(error)
        } catch {
            throw .store(.writeFailed(path: url.path, reason: "\(error)"))
        }
    }

    /// Reads a head file and checks it was trained on embeddings of the encoder with `fingerprint` and, when
    /// `dimension` is given, that it takes embeddings of that many components (the encoder's output size).
    /// Throws `.dimensionMismatch` naming the file and both sizes (checked first), `.encoderMismatch` naming the file
    /// and both fingerprints, `.store(...)` for unreadable files, another kind or format version, missing
    /// tensors/attributes, and `.invalidFile` for unusable content.
    public static func load(from url: URL, expectingEncoder fingerprint: String,
                            dimension: Int? = nil) throws(LogisticHeadError) -> LogisticHead {
        let head = try load(from: url)
        if let dimension { try head.checkDimension(dimension, file: url.path) }
        guard head.encoderFingerprint == fingerprint else {
            throw .encoderMismatch(file: url.path, head: head.encoderFingerprint, encoder: fingerprint)
        }
        return head
    }

    /// Reads a head file without checking the encoder (for inspection: `pairmatch info`, tests).
    public static func load(from url: URL) throws(LogisticHeadError) -> LogisticHead {
        do {
            let archive = try WeightArchive.read(from: url, kind: archiveKind, supportedVersions: formatVersion...formatVersion)
            return try LogisticHead(archive: archive, path: url.path)
        } catch let error as LogisticHeadError {
            throw error
        } catch let error as WeightStoreError {
            throw .store(error)
        } catch {
            throw .invalidFile(path: url.path, reason: "\(error)")
        }
    }

    /// The head as an in-memory archive (what `save` writes).
    public func archive() -> WeightArchive {
        var a = WeightArchive(kind: Self.archiveKind, formatVersion: Self.formatVersion)
        a.set(Tensor(shape: [dimension], values: weights), at: "weights")   // [D]
        a.set(attribute: "embedding_dimension", .integer(Int64(dimension)))
        a.set(Tensor(shape: [1], values: [balancedBias]), at: "bias")
        a.set(attribute: "feature_kind", .string(featureKind.rawValue))
        a.set(attribute: "threshold", .float(Double(threshold)))
        a.set(attribute: "prior", .float(prior))
        a.set(attribute: "encoder_fingerprint", .string(encoderFingerprint))
        a.set(attribute: "created", .string(Self.isoFormatter().string(from: created)))
        if let t = training {
            a.set(attribute: "lambda", .float(t.lambda))
            a.set(attribute: "lambda_selection", .string(t.lambdaCrossValidated ? "cross-validated" : "fixed"))
            a.set(attribute: "pairs", .integer(Int64(t.pairs)))
            a.set(attribute: "positives", .integer(Int64(t.positives)))
            a.set(attribute: "negatives", .integer(Int64(t.negatives)))
            a.set(attribute: "iterations", .integer(Int64(t.iterations)))
            if let m = t.heldOut {
                a.set(attribute: "cv_folds", .integer(Int64(m.folds)))
                for (name, value) in Self.metricAttributes(m) {
                    a.set(attribute: name, .float(value.mean))
                    a.set(attribute: name + "_std", .float(value.std))
                }
            }
        }
        return a
    }

    /// Parses an archive already checked for kind and version; `path` names the file in errors.
    init(archive a: WeightArchive, path: String) throws {
        let weightTensor = try a.tensor("weights")   // [D]
        guard weightTensor.shape.count == 1, weightTensor.count >= 1 else {
            throw LogisticHeadError.invalidFile(path: path, reason: "tensor 'weights' has shape \(weightTensor.shape), expected [D] with D ≥ 1")
        }
        let weights = weightTensor.values
        if a.attributeNames().contains("embedding_dimension") {
            let d = try a.integer("embedding_dimension")
            guard d == weights.count else {
                throw LogisticHeadError.invalidFile(path: path, reason: "embedding_dimension \(d) but tensor 'weights' has \(weights.count) values")
            }
        }
        let bias = try a.tensor("bias", shape: [1]).values[0]
        let kindName = try a.string("feature_kind")
        guard let kind = PairFeatureKind(rawValue: kindName) else {
            throw LogisticHeadError.invalidFile(path: path, reason: "unknown feature_kind '\(kindName)'")
        }
        let createdText = try a.string("created")
        guard let created = Self.isoFormatter().date(from: createdText) else {
            throw LogisticHeadError.invalidFile(path: path, reason: "created '\(createdText)' is not an ISO-8601 time")
        }
        var training: TrainingSummary? = nil
        if a.attributeNames().contains("lambda") {
            var heldOut: HeldOutMetrics? = nil
            if a.attributeNames().contains("cv_folds") {
                let k = try a.integer("cv_folds")
                func metric(_ name: String) throws -> MeanStd {
                    MeanStd(mean: try a.float(name), std: try a.float(name + "_std"), count: k)
                }
                heldOut = HeldOutMetrics(accuracy: try metric("cv_accuracy"), areaUnderCurve: try metric("cv_auc"),
                                         equalErrorRate: try metric("cv_eer"), brierScore: try metric("cv_brier"),
                                         expectedCalibrationError: try metric("cv_ece"))
            }
            training = TrainingSummary(pairs: try a.integer("pairs"), positives: try a.integer("positives"),
                                       negatives: try a.integer("negatives"), lambda: try a.float("lambda"),
                                       lambdaCrossValidated: try a.string("lambda_selection") == "cross-validated",
                                       iterations: try a.integer("iterations"), heldOut: heldOut)
        }
        do {
            try self.init(weights: weights, balancedBias: bias, featureKind: kind, threshold: Float(try a.float("threshold")),
                          prior: try a.float("prior"), encoderFingerprint: try a.string("encoder_fingerprint"),
                          created: created, training: training)
        } catch let error as LogisticHeadError {
            throw LogisticHeadError.invalidFile(path: path, reason: error.description)
        }
    }

    /// (attribute name, value) of the cross-validated metrics, in file order.
    static func metricAttributes(_ m: HeldOutMetrics) -> [(String, MeanStd)] {
        [("cv_accuracy", m.accuracy), ("cv_auc", m.areaUnderCurve), ("cv_eer", m.equalErrorRate),
         ("cv_brier", m.brierScore), ("cv_ece", m.expectedCalibrationError)]
    }

    /// ISO-8601 with time zone "Z", whole seconds (a new formatter per call: formatters are not Sendable).
    static func isoFormatter() -> ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f
    }
}
