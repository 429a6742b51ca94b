import FaceAlignment
import FaceDetection
import FaceEmbedding
import Foundation
import ImageInput
import PairNet

/// The pipeline every job shares: decode a photo, detect faces (MMOD), find 5 landmarks, extract the
/// 150×150 chip, embed it with the twin encoder. Models are loaded once; an analyzer is safe to use from
/// several threads (its parts are immutable or pool their scratch).
///
/// With an encoder that reads whole images (`EncoderInput.wholeImages`, e.g. one trained on handwritten
/// characters), there is no detection or alignment: the one "face" of an image is the whole image (its box is the
/// image's bounds), embedded from the image itself; its `chip` is the image resized to 150×150 (for `--chips`).
public final class FaceAnalyzer: Sendable {
    public let detector: FaceDetector?
    public let landmarks: LandmarkPredictor?
    public let encoder: (any ImageEncoder)?

    /// Any part may be nil when the job does not need it (e.g. `detect` needs no encoder, `--aligned` or a
    /// whole-image encoder needs no detector); a step whose model is missing throws `FaceAnalysisError.missingModel`
    /// (nothing a request can ask for stops the process).
    public init(detector: FaceDetector?, landmarks: LandmarkPredictor?, encoder: (any ImageEncoder)?) {
        self.detector = detector
        self.landmarks = landmarks
        self.encoder = encoder
    }

    /// Decodes `url` and analyses it. Throws `ImageInputError` for files that are not usable images and
    /// `FaceAnalysisError` when a model the step needs was not loaded.
    public func analyze(contentsOf url: URL, options: AnalysisOptions) throws -> AnalyzedImage {
        let image = try ImageDecoder.decode(contentsOf: url, limits: ImageLimits(maxPixels: options.maxPixels, maxBytes: options.maxBytes))
        return AnalyzedImage(path: url.path, width: image.width, height: image.height, faces: try faces(in: image, options: options))
    }

    /// Decodes `bytes` (an uploaded image, called `name` in messages) and analyses it, like `analyze(contentsOf:)`.
    public func analyze(data bytes: Data, name: String, options: AnalysisOptions) throws -> AnalyzedImage {
        let image = try ImageDecoder.decode(data: bytes, name: name, limits: ImageLimits(maxPixels: options.maxPixels, maxBytes: options.maxBytes))
        return AnalyzedImage(path: name, width: image.width, height: image.height, faces: try faces(in: image, options: options))
    }

    /// Every face in `image`, largest first (one face, the whole image, when `options.aligned`).
    /// Throws `FaceAnalysisError.missingModel` when the detector, landmarks or (with `options.embed`) encoder is needed
    /// but was not loaded.
    public func faces(in image: RGBImage, options: AnalysisOptions) throws(FaceAnalysisError) -> [AnalyzedFace] {
        var found: [AnalyzedFace]
        if let encoder, encoder.input == .wholeImages {
            let whole = AnalyzedFace(box: FaceBox(left: 0, top: 0, right: image.width - 1, bottom: image.height - 1), score: nil,
                                     landmarks: [], chip: ChipExtractor.chip(fromAligned: image), embedding: nil)
            return [options.embed ? whole.with(embedding: encoder.embed([image], threads: 1)[0]) : whole]
        }
        if options.aligned {
            found = [AnalyzedFace(box: nil, score: nil, landmarks: [], chip: ChipExtractor.chip(fromAligned: image), embedding: nil)]
        } else {
            guard let detector, let landmarks else { throw .missingModel("the face detector and landmarks") }
            // A box mostly outside the photo (possible with a very low --detection-threshold) is no face to match.
            found = detector.detect(in: image, options: options.detection).filter { Self.isMostlyInside($0.box, image) }.map { d in
                let points = landmarks.landmarks(in: image, box: d.box)
                return AnalyzedFace(box: d.box, score: d.score, landmarks: points,
                                    chip: ChipExtractor.chip(from: image, landmarks: points), embedding: nil)
            }
        }
        guard options.embed, !found.isEmpty else { return found }
        return zip(found, try embeddings(of: found.map(\.chip), jitter: options.jitter)).map { $0.with(embedding: $1) }
    }

    /// Whether at least half of `box`'s area lies inside `image`.
    static func isMostlyInside(_ box: FaceBox, _ image: RGBImage) -> Bool {
        let w = box.right - box.left + 1, h = box.bottom - box.top + 1
        guard w > 0, h > 0 else { return false }
        let iw = max(0, min(box.right, image.width - 1) - max(box.left, 0) + 1)
        let ih = max(0, min(box.bottom, image.height - 1) - max(box.top, 0) + 1)
        return 2 * iw * ih >= w * h
    }

    /// Embeddings of `chips` in order, each the mean over `jitter` jittered copies when `jitter > 1` (as dlib's
    /// `num_jitters`: 0 and 1 both mean the chip itself).
    /// The jitter is seeded per chip content, so results are reproducible.
    /// Throws `FaceAnalysisError.missingModel` when no encoder was loaded.
    public func embeddings(of chips: [FaceChip], jitter: Int = 0, threads: Int = 1) throws(FaceAnalysisError) -> [Embedding] {
        guard let encoder else { throw .missingModel("the encoder") }
        func embed(_ c: [FaceChip]) -> [Embedding] {
            if let face = encoder as? Encoder { return face.embed(c, threads: threads) }
            return encoder.embed(c.map(ChipConversion.image(from:)), threads: threads)
        }
        guard jitter > 1 else { return embed(chips) }       // dlib: num_jitters ≤ 1 means no jitter
        return chips.map { chip in Embedding.mean(embed(ChipJitter.copies(of: chip, count: jitter)))! }
    }
}

/// A pipeline step was asked for whose model the analyzer was built without.
public enum FaceAnalysisError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `what` (e.g. "the encoder") was not loaded.
    case missingModel(String)

    public var description: String {
        switch self {
        case .missingModel(let what): return "\(what) is not loaded for this job"
        }
    }
}
