import ImageInput

/// One detected face.
public struct Detection: Sendable, Equatable {
    /// The face rectangle in the caller's image, inclusive pixels (see `FaceBox`); may extend past the border.
    public var box: FaceBox
    /// The detector's raw score (MMOD net output at the window, unitless; > threshold). dlib's
    /// `detection_confidence`.
    public var score: Double

    public init(box: FaceBox, score: Double) {
        self.box = box
        self.score = score
    }
}

extension Array where Element == Detection {
    /// Largest face first: by box area (pixels) descending, then by score descending, then top-left first —
    /// a total order, so results do not depend on the order detections were found in.
    public func sortedLargestFirst() -> [Detection] {
        sorted { a, b in
            if a.box.area != b.box.area { return a.box.area > b.box.area }
            if a.score != b.score { return a.score > b.score }
            if a.box.top != b.box.top { return a.box.top < b.box.top }
            return a.box.left < b.box.left
        }
    }
}

/// How `FaceDetector.detect` searches. The defaults give dlib's `cnn_face_detection_model_v1(img, 0)`
/// results plus one automatic retry with upsampling for small images that gave nothing.
public struct DetectionOptions: Sendable, Equatable {
    /// Windows scoring strictly above this are faces (dlib's `adjust_threshold`, default 0). Lower finds more,
    /// less certain faces.
    public var scoreThreshold: Double
    /// dlib-compatible "upsample N": the image is doubled (`pyramid_up` with `pyramid_down<2>`) N times before
    /// detection and the boxes are mapped back. Each step finds faces half as large (the smallest face
    /// found without upsampling is about 80 px) and costs about 4× the time and memory. Default 0.
    public var upsampling: Int
    /// When nothing is found at `upsampling` and the image's longer side is below `smallImageMaxSide`,
    /// detect once more with `upsampling + 1`. Default on; dlib has no such retry (turn it off for
    /// dlib-identical output).
    public var retryUpsampledWhenEmpty: Bool
    /// Longer side (pixels) below which an image counts as small for the retry. Default 400.
    public var smallImageMaxSide: Int
    /// Faces whose box is narrower or shorter than this (pixels, in the caller's image) are dropped. Default 0.
    public var minimumFaceSize: Int
    /// Upper bound on the pixels (width · height) the network runs on, after upsampling. Upsampling steps that
    /// would exceed it are skipped; an image above it is first scaled down to fit and boxes are mapped back.
    /// The working memory is about 120 bytes per pixel run (the tiled pyramid is ~4× the image, 28 bytes per
    /// tensor pixel) plus about 3 MiB of scratch: ≈ 500 MB at the default 4 000 000 (e.g. 2560 × 1560).
    public var maxPixels: Int

    public init(scoreThreshold: Double = 0, upsampling: Int = 0, retryUpsampledWhenEmpty: Bool = true,
                smallImageMaxSide: Int = 400, minimumFaceSize: Int = 0, maxPixels: Int = 4_000_000) {
        self.scoreThreshold = scoreThreshold
        self.upsampling = upsampling
        self.retryUpsampledWhenEmpty = retryUpsampledWhenEmpty
        self.smallImageMaxSide = smallImageMaxSide
        self.minimumFaceSize = minimumFaceSize
        self.maxPixels = maxPixels
    }

    /// Exactly what dlib's Python `cnn_face_detection_model_v1(img, upsampling)` computes: no retry, no size
    /// filter, threshold 0.
    public static func dlibCompatible(upsampling: Int = 0) -> DetectionOptions {
        DetectionOptions(upsampling: upsampling, retryUpsampledWhenEmpty: false)
    }
}
