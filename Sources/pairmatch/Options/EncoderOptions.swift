import ArgumentParser
import FaceAnalysis
import Foundation
import PairNet
import WeightStore

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
        let url = try file.map { URL(fileURLWithPath: $0) } ?? models.file(.encoder)
        do {
            let archive = try WeightArchive.read(from: url)
            if archive.kind == "pairmatch.encoder" { return try Encoder(archive: archive, threads: threads) }
            return try TrainedImageEncoder(archive: archive)
        } catch let f as CommandFailure {
            throw f
        } catch {
            throw CommandFailure.model(error)
        }
    }

    /// The head `train-encoder` wrote beside a trained encoder (`X.h5` → `X.head.h5`), if `--encoder` names one.
    static func siblingHead(of file: String?) -> URL? {
        guard let file else { return nil }
        let base = file.lowercased().hasSuffix(".h5") ? String(file.dropLast(3)) : file
        return URL(fileURLWithPath: base + ".head.h5")
    }
}
