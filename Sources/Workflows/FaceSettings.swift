import FaceAnalysis
import FaceDetection
import Foundation
import ImageInput

/// How photos become faces for a job: the analysis options (detection, jitter, limits) and which face of a photo
/// with several is used. Both front ends build it from their options; the embedding cache is keyed by `cacheKey`.
public struct FaceSettings: Sendable {
    public var analysis: AnalysisOptions
    /// Which face of a photo with several a job uses.
    public var choice: FaceChoice

    public init(analysis: AnalysisOptions = AnalysisOptions(), choice: FaceChoice = .largest) {
        self.analysis = analysis
        self.choice = choice
    }

    /// The decoder's limits (pixels, bytes).
    public var limits: ImageLimits { ImageLimits(maxPixels: analysis.maxPixels, maxBytes: analysis.maxBytes) }

    /// A short description of the settings that change embeddings (the embedding cache's validity key).
    public var cacheKey: String {
        let d = analysis.detection
        return "aligned=\(analysis.aligned ? 1 : 0) jitter=\(analysis.jitter) upsample=\(d.upsampling) retry=\(d.retryUpsampledWhenEmpty ? 1 : 0) min-face=\(d.minimumFaceSize) threshold=\(d.scoreThreshold) pick=\(choice.rawValue)"
    }

    /// The words a warning uses for the face choice ("largest", "first by --pick center").
    public var choiceDescription: String { choice == .largest ? "largest" : "first by --pick \(choice.rawValue)" }
}

/// The face a one-image request uses: `faceIndex` (0-based) in the choice order, embedded.
public enum FacePicker {
    /// The face of `source` to use; a failure names the image and is typed (not an image, too large, no face).
    public static func face(in source: ImageSource, faceIndex: Int = 0, models: LoadedModels,
                            settings: FaceSettings) throws(WorkflowError) -> ImageFace {
        let image = try source.decode(limits: settings.limits)
        let batch = BatchEmbedder(analyzer: models.analyzer, options: settings.analysis, threads: 1, choice: settings.choice)
        switch batch.face(in: image, name: source.label, faceIndex: faceIndex) {
        case .success(let face): return face
        case .failure(let failure): throw WorkflowError.image(failure, input: source.input)
        }
    }

    /// Every face of `source`, largest first, embedded when `embed` (detect/embed/identify).
    public static func analyze(_ source: ImageSource, models: LoadedModels, settings: FaceSettings,
                               embed: Bool = true) throws(WorkflowError) -> AnalyzedImage {
        let image = try source.decode(limits: settings.limits)
        var options = settings.analysis
        options.embed = embed
        do {
            return AnalyzedImage(path: source.path, width: image.width, height: image.height,
                                 faces: try models.analyzer.faces(in: image, options: options))
        } catch {
            throw WorkflowError(.model, "\(source.label): \(error)", input: source.input)
        }
    }
}
