import Foundation
import ImageInput
import NetLayers

/// dlib's MMOD CNN face detector (`mmod_human_face_detector`) run by pairmatch's own layers.
///
/// `detect` builds the tiled image pyramid (ratio 5/6, as dlib's `input_rgb_image_pyramid<pyramid_down<6>>`),
/// runs the network once on it, turns every score-map position above the threshold into an 80 × 80 window
/// mapped back to image pixels, and keeps the best of overlapping windows (dlib's NMS). With
/// `DetectionOptions.dlibCompatible()` the boxes and scores are dlib's.
///
/// Thread-safe: concurrent `detect` calls each take a workspace from a small pool (at most `pooledWorkspaces`
/// are kept between calls; the working memory of a call is about 120 bytes per pixel the network runs on).
public final class FaceDetector: Sendable {
    /// The checked model (network, pyramid geometry, window, NMS test).
    public let model: MMODModel
    private let pool: WorkspacePool

    /// Workspaces kept for reuse between calls.
    public static let pooledWorkspaces = 2

    /// Loads `detector.h5`.
    /// - Throws: `FaceDetectionError` naming the file (missing, not a detector file — e.g. `encoder.h5` —, or a
    ///   network other than dlib's MMOD face detector).
    public convenience init(contentsOf url: URL) throws {
        self.init(model: try MMODModel(contentsOf: url))
    }

    /// A detector for an already loaded model.
    public init(model: MMODModel) {
        self.model = model
        self.pool = WorkspacePool(capacity: Self.pooledWorkspaces)
    }

    /// The faces in `image`, largest box first (see `Array<Detection>.sortedLargestFirst`).
    ///
    /// Steps: the image is scaled down if it exceeds `options.maxPixels`; upsampled `options.upsampling`
    /// times (fewer if that would exceed the bound); detected; boxes mapped back to `image`. When nothing is
    /// found, the image's longer side is below `options.smallImageMaxSide` and `retryUpsampledWhenEmpty` is
    /// on, it is detected once more with one more upsampling. Finally faces smaller than
    /// `options.minimumFaceSize` are dropped.
    public func detect(in image: RGBImage, options: DetectionOptions = .init()) -> [Detection] {
        let pixels = image.width * image.height
        let bound = max(options.maxPixels, 1)
        var found: [Detection]
        if pixels > bound {
            // Too large even without upsampling: scale down to fit, detect, map back.
            let f = (Double(bound) / Double(pixels)).squareRoot()
            let w = max(1, Int(Double(image.width) * f)), h = max(1, Int(Double(image.height) * f))
            let small = ImageScaling.resizeBilinear(image, width: w, height: h)
            found = detectUpsampled(small, times: 0, threshold: options.scoreThreshold).map {
                Detection(box: ImageScaling.mapBack($0.box, from: (w, h), to: (image.width, image.height)), score: $0.score)
            }
        } else {
            let times = Self.allowedUpsampling(width: image.width, height: image.height,
                                               requested: max(0, options.upsampling), maxPixels: bound)
            found = detectUpsampled(image, times: times, threshold: options.scoreThreshold)
            if found.isEmpty, options.retryUpsampledWhenEmpty, max(image.width, image.height) < options.smallImageMaxSide {
                let more = Self.allowedUpsampling(width: image.width, height: image.height, requested: times + 1, maxPixels: bound)
                if more > times { found = detectUpsampled(image, times: more, threshold: options.scoreThreshold) }
            }
        }
        if options.minimumFaceSize > 0 {
            found.removeAll { $0.box.width < options.minimumFaceSize || $0.box.height < options.minimumFaceSize }
        }
        return found.sortedLargestFirst()
    }

    /// The largest upsampling count ≤ `requested` whose image ((2h + 1) × (2w + 2) per step) fits `maxPixels`.
    static func allowedUpsampling(width: Int, height: Int, requested: Int, maxPixels: Int) -> Int {
        var w = width, h = height, n = 0
        while n < requested {
            let (nw, nh) = (2 * w + 2, 2 * h + 1)
            if nw * nh > maxPixels { break }
            (w, h) = (nw, nh)
            n += 1
        }
        return n
    }

    /// dlib's Python `cnn_face_detection_model_v1(img, times)`: `pyramid_up` `times` times, detect, map boxes
    /// back with `rect_down`. Highest score first.
    func detectUpsampled(_ image: RGBImage, times: Int, threshold: Double) -> [Detection] {
        var working = image
        for _ in 0..<times { working = ImageScaling.pyramidUp(working) }
        let found = detections(in: working, threshold: threshold)
        guard times > 0 else { return found }
        return found.map { Detection(box: ImageScaling.rectDownHalving($0.box, levels: times), score: $0.score) }
    }

    /// One pass of dlib's `net(image)` with `to_label(…, adjust_threshold: threshold)`: tiled pyramid, network,
    /// windows above the threshold mapped to image pixels, NMS. Highest score first; boxes not clipped.
    /// `path` selects the network's convolution code (`.generic` is the benchmark's baseline).
    public func detections(in image: RGBImage, threshold: Double = 0, path: MMODNetwork.Path = .specialised) -> [Detection] {
        let layout = model.pyramid.layout(width: image.width, height: image.height)
        let network = model.network
        guard network.outputShape(height: layout.height, width: layout.width) != nil else { return [] }
        let workspace = pool.take()
        defer { pool.give(workspace) }
        let input = workspace.input.map(Shape4(n: 1, c: 3, h: layout.height, w: layout.width))   // [1, 3, H, W]
        layout.render(image, mean: network.meanRGB, scale: network.inputScale, into: input)
        let scores = network.forward(input, workspace: workspace, path: path)                            // [1, 1, Ho, Wo]
        let candidates = windows(scores: scores, layout: layout, threshold: threshold)
        return nonMaxSuppression(candidates, test: model.nms)
    }

    /// dlib's `tensor_to_dets`: every score-map position with score > `threshold` becomes the window
    /// (80 × 80 tensor pixels) centred on its input-tensor point, mapped to image pixels through the pyramid
    /// layout and rounded. Row-major scan order.
    func windows(scores: FeatureMap, layout: TiledPyramidLayout, threshold: Double) -> [Detection] {
        var result: [Detection] = []
        let h = scores.shape.h, w = scores.shape.w, p = scores.plane(0, 0)
        for r in 0..<h {
            for c in 0..<w {
                let s = Double(p[r * w + c])
                guard s > threshold else { continue }
                let center = model.network.inputPoint(column: c, row: r)
                let tensorRect = RealRect(centerX: center.x, centerY: center.y,
                                          width: Double(model.window.width), height: Double(model.window.height))
                result.append(Detection(box: layout.tensorToImage(tensorRect).rounded, score: s))
            }
        }
        return result
    }
}

/// A lock-protected stack of reusable workspaces: `take` pops one (or makes a new one), `give` returns it,
/// keeping at most `capacity` (extra ones are freed, so memory stays bounded under bursts of concurrency).
final class WorkspacePool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [MMODWorkspace] = []
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func take() -> MMODWorkspace {
        lock.lock(); defer { lock.unlock() }
        return free.popLast() ?? MMODWorkspace()
    }

    func give(_ w: MMODWorkspace) {
        lock.lock(); defer { lock.unlock() }
        if free.count < capacity { free.append(w) }
    }
}
