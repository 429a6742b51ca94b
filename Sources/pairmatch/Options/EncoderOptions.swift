import ArgumentParser
import FaceAnalysis
import Foundation
import Workflows

/// `--encoder FILE`: which encoder embeds the images (default: the imported face ResNet, `encoder.h5` in the models
/// folder). A file written by `train-encoder` whose domain is not faces reads whole images (no detection or
/// alignment); one fine-tuned from the face ResNet (domain "faces") reads aligned face chips.
struct EncoderOptions: ParsableArguments {
    @Option(name: .customLong("encoder"), help: ArgumentHelp(
        "Encoder file (default: encoder.h5 in the models folder); one from train-encoder reads whole images unless its domain is faces.",
        valueName: "file"))
    var file: String?

    /// The encoder of `file` (nil: the models folder's face encoder), or a failure (exit 3) naming the file.
    static func load(_ file: String?, models: ModelOptions, threads: Int) throws -> any ImageEncoder {
        var settings = models.settings()
        settings.encoderFile = file
        do { return try LoadedModels.loadEncoder(settings, threads: threads) } catch { throw CommandFailure(error) }
    }
}
