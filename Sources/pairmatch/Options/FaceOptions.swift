import ArgumentParser
import FaceAnalysis
import FaceDetection
import ImageInput
import Workflows

/// How photos become faces: shared by every command that reads photos.
struct FaceOptions: ParsableArguments {
    @Flag(help: "Inputs are already aligned 150×150 face chips (other sizes are resized); no detection.")
    var aligned = false

    @Option(help: ArgumentHelp("Upsample photos N times before detecting (finds faces under ~80 px; slower).", valueName: "n"))
    var upsample = 0

    @Flag(name: .customLong("no-retry"), help: "Do not retry small photos (under 400 px) upsampled when no face is found.")
    var noRetry = false

    @Option(name: .customLong("min-face"), help: ArgumentHelp("Ignore faces smaller than this many pixels across.", valueName: "px"))
    var minimumFace = 0

    @Option(name: .customLong("detection-threshold"), parsing: .unconditional, help: ArgumentHelp("Detector score threshold (dlib's default 0).", valueName: "t"))
    var detectionThreshold = 0.0

    @Option(help: ArgumentHelp("Average each embedding over N jittered copies of the chip (dlib's num_jitters; 0 or 1: none).", valueName: "n"))
    var jitter = 0

    @Option(help: ArgumentHelp("Which face of a photo with several to use: largest, center or score (default: center for LFW pairs files, whose photos are centred on their subject; largest otherwise).", valueName: "rule"))
    var pick: String?

    @Option(name: .customLong("max-pixels"), help: ArgumentHelp("Refuse images larger than this many pixels.", valueName: "n"))
    var maxPixels = 50_000_000

    @Option(name: .customLong("max-bytes"), help: ArgumentHelp("Refuse image and pairs files larger than this many bytes, before reading them.", valueName: "n"))
    var maxBytes = BoundedFile.defaultMaxBytes

    func validate() throws {
        if let pick, FaceChoice(rawValue: pick) == nil { throw ValidationError("--pick must be largest, center or score") }
        if upsample < 0 || upsample > 4 { throw ValidationError("--upsample must be between 0 and 4") }
        if jitter < 0 || jitter > 100 { throw ValidationError("--jitter must be between 0 and 100") }
        if minimumFace < 0 { throw ValidationError("--min-face must not be negative") }
        if maxPixels < 1 { throw ValidationError("--max-pixels must be positive") }
        if maxBytes < 1 { throw ValidationError("--max-bytes must be positive") }
    }

    /// dlib's rule: 0 and 1 jittered copies both mean the chip itself.
    var effectiveJitter: Int { jitter > 1 ? jitter : 0 }

    func analysis(embed: Bool = true) -> AnalysisOptions {
        var detection = DetectionOptions()
        detection.scoreThreshold = detectionThreshold
        detection.upsampling = upsample
        detection.retryUpsampledWhenEmpty = !noRetry
        detection.minimumFaceSize = minimumFace
        return AnalysisOptions(aligned: aligned, detection: detection, embed: embed, jitter: effectiveJitter, maxPixels: maxPixels,
                               maxBytes: maxBytes)
    }

    /// The face-choice rule: `--pick`, else center for LFW pairs lists, else largest.
    func choice(lfw: Bool = false) -> FaceChoice {
        pick.flatMap(FaceChoice.init(rawValue:)) ?? (lfw ? .center : .largest)
    }

    /// These options as the workflows take them (analysis options and the face-choice rule).
    func settings(lfw: Bool = false, embed: Bool = true) -> FaceSettings {
        FaceSettings(analysis: analysis(embed: embed), choice: choice(lfw: lfw))
    }

    /// A short description of the settings that change embeddings (the embedding cache's validity key).
    func cacheKey(_ choice: FaceChoice) -> String {
        FaceSettings(analysis: analysis(), choice: choice).cacheKey
    }
}
