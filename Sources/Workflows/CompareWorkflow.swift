import FaceAnalysis
import FaceEmbedding
import Foundation
import ImageInput
import LogisticHead
import PairNet

/// One side of a comparison: the image, the face used and how many the image held.
public struct ComparedFace: Sendable {
    /// How answers name the image (its path, or the upload's file name or field).
    public let path: String
    /// The face that was used, embedded; `face.box` is nil for aligned chips, `face.chip` the aligned chip.
    public let face: ImageFace
    /// Which face was used, 0-based in the face-choice order.
    public let faceIndex: Int
}

/// The answer to "are these two the same person?".
public struct Comparison: Sendable {
    /// ŷ = σ(w·|Δ| + b), the head's calibrated probability of the same person.
    public let probability: Float
    /// ‖f(a) − f(b)‖, Euclidean distance between the embeddings.
    public let distance: Float
    /// probability ≥ threshold.
    public let same: Bool
    /// The head's decision threshold.
    public let threshold: Float
    /// The two sides (nil for a comparison of embeddings given directly).
    public let a: ComparedFace?, b: ComparedFace?

    /// The CLI's `--json` shape: `{"probability", "distance", "same", "threshold", "a": {"path", "box", "faces_found"},
    /// "b": {…}}`; `details` adds each side's `face` (1-based), `width`, `height`; `chips` adds `chip`, the aligned
    /// 150×150 face as a PNG data URL.
    public func json(details: Bool = false, chips: Bool = false) -> JSONValue {
        func side(_ s: ComparedFace) -> JSONValue {
            var o: [(String, JSONValue)] = [("path", .string(s.path)), ("box", s.face.box.map(FaceJSON.box) ?? .null),
                                            ("faces_found", .int(s.face.facesFound))]
            if details { o += [("face", .int(s.faceIndex + 1)), ("width", .int(s.face.width)), ("height", .int(s.face.height))] }
            if chips, let chip = s.face.chip { o.append(("chip", FaceJSON.pngDataURL(chip).map(JSONValue.string) ?? .null)) }
            return .object(o)
        }
        var o: [(String, JSONValue)] = [("probability", .float(probability)), ("distance", .float(distance)), ("same", .bool(same)),
                                        ("threshold", .float(threshold))]
        if let a { o.append(("a", side(a))) }
        if let b { o.append(("b", side(b))) }
        return .object(o)
    }
}

/// Compare: two images (or two embeddings) → probability, distance, verdict.
public enum CompareWorkflow {
    /// Compares face `faceA` of `a` with face `faceB` of `b` (0-based, in the choice order). The two images are
    /// analysed in parallel when `threads` > 1. Failures are typed and name the image (`input` "a" or "b" for uploads).
    public static func compare(_ a: ImageSource, _ b: ImageSource, faceA: Int = 0, faceB: Int = 0, models: LoadedModels,
                               settings: FaceSettings, threads: Int = 1) throws(WorkflowError) -> Comparison {
        let head = try models.requireHead()
        let sources = [a, b], picks = [faceA, faceB]
        var outcomes: [Result<ImageFace, WorkflowError>] = [.failure(WorkflowError(.badInput, "")), .failure(WorkflowError(.badInput, ""))]
        OrderedWork.run(count: 2, threads: min(threads, 2), work: { i in
            Result { () throws(WorkflowError) -> ImageFace in try FacePicker.face(in: sources[i], faceIndex: picks[i], models: models, settings: settings) }
        }, emit: { i, o in outcomes[i] = o })
        let fa = try outcomes[0].get(), fb = try outcomes[1].get()
        return try compare(a, face: fa, faceIndex: faceA, b, face: fb, faceIndex: faceB, models: models)
    }

    /// The comparison of two faces already picked (`FacePicker.face`) from `a` and `b`: for a caller that analyses
    /// the two images itself (the server runs each on its own worker). The same answer as `compare(_:_:…)`.
    public static func compare(_ a: ImageSource, face fa: ImageFace, faceIndex faceA: Int = 0, _ b: ImageSource, face fb: ImageFace,
                               faceIndex faceB: Int = 0, models: LoadedModels) throws(WorkflowError) -> Comparison {
        let head = try models.requireHead()
        let scored = score(fa.embedding, fb.embedding, head: head)
        return Comparison(probability: scored.probability, distance: scored.distance, same: scored.same, threshold: head.threshold,
                          a: ComparedFace(path: a.path, face: fa, faceIndex: faceA), b: ComparedFace(path: b.path, face: fb, faceIndex: faceB))
    }

    /// Compares two embeddings given directly (each of the encoder's dimension, finite).
    public static func compare(embeddings a: Embedding, _ b: Embedding, models: LoadedModels) throws(WorkflowError) -> Comparison {
        let head = try models.requireHead()
        for (name, e) in [("a", a), ("b", b)] {
            try EmbeddingCheck.check(e, field: name, dimension: head.dimension)
        }
        let scored = score(a, b, head: head)
        return Comparison(probability: scored.probability, distance: scored.distance, same: scored.same, threshold: head.threshold, a: nil, b: nil)
    }

    static func score(_ a: Embedding, _ b: Embedding, head: LogisticHead) -> (probability: Float, distance: Float, same: Bool) {
        let p = head.probability(PairFeatures(a, b, kind: head.featureKind))
        return (p, a.distance(to: b), p >= head.threshold)
    }
}

/// Checks of embeddings a caller gives directly (the server's embedding endpoints).
public enum EmbeddingCheck {
    /// Throws `.badInput` naming `field` unless `e` has `dimension` components, all finite.
    public static func check(_ e: Embedding, field: String, dimension: Int) throws(WorkflowError) {
        guard e.dimension == dimension else {
            throw WorkflowError(.badInput, "\(field): embedding has \(e.dimension) components, the encoder gives \(dimension)", input: field)
        }
        guard e.values.allSatisfy(\.isFinite) else {
            throw WorkflowError(.badInput, "\(field): embedding has a NaN or infinite component", input: field)
        }
    }
}
