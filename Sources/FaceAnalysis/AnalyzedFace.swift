import FaceAlignment
import FaceDetection
import FaceEmbedding
import ImageInput
import PairNet

/// One face found in a photo: where it is, its aligned chip and (when asked for) its embedding.
public struct AnalyzedFace: Sendable {
    /// The detector's box, inclusive pixel corners; nil for an `--aligned` chip (the whole image is the face).
    public let box: FaceBox?
    /// The detector's score (dlib's MMOD: > 0 is a detection); nil for an aligned chip.
    public let score: Double?
    /// The 5 landmarks in image pixels (dlib's order: right-eye outer, inner, left-eye outer, inner, nose);
    /// empty for an aligned chip.
    public let landmarks: [Point]
    /// The 150×150 aligned chip the encoder sees.
    public let chip: FaceChip
    /// f(chip) (mean over jittered copies when jitter > 0); nil when embeddings were not requested.
    public let embedding: Embedding?

    public init(box: FaceBox?, score: Double?, landmarks: [Point], chip: FaceChip, embedding: Embedding?) {
        self.box = box
        self.score = score
        self.landmarks = landmarks
        self.chip = chip
        self.embedding = embedding
    }

    func with(embedding: Embedding) -> AnalyzedFace {
        AnalyzedFace(box: box, score: score, landmarks: landmarks, chip: chip, embedding: embedding)
    }
}

/// A photo and the faces found in it, largest first.
public struct AnalyzedImage: Sendable {
    /// The path as the user gave it.
    public let path: String
    /// Pixels, after EXIF orientation.
    public let width: Int
    public let height: Int
    public let faces: [AnalyzedFace]

    public init(path: String, width: Int, height: Int, faces: [AnalyzedFace]) {
        self.path = path
        self.width = width
        self.height = height
        self.faces = faces
    }
}

/// How photos become faces.
public struct AnalysisOptions: Sendable {
    /// Treat every image as an already aligned face chip (150×150, else resized bilinearly).
    public var aligned: Bool
    /// Detector settings (threshold, upsampling, automatic retry, minimum face size).
    public var detection: DetectionOptions
    /// Compute embeddings (false: detect and align only).
    public var embed: Bool
    /// Average each embedding over this many jittered copies of the chip (0: the chip alone), as dlib's
    /// `num_jitters`.
    public var jitter: Int
    /// Refuse images over this many pixels before decoding them.
    public var maxPixels: Int
    /// Refuse image files over this many bytes before reading their body (`ImageLimits.maxBytes`).
    public var maxBytes: Int

    public init(aligned: Bool = false, detection: DetectionOptions = .init(), embed: Bool = true, jitter: Int = 0,
                maxPixels: Int = 50_000_000, maxBytes: Int = BoundedFile.defaultMaxBytes) {
        self.aligned = aligned
        self.detection = detection
        self.embed = embed
        self.jitter = jitter
        self.maxPixels = maxPixels
        self.maxBytes = maxBytes
    }
}
