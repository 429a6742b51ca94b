import FaceAnalysis
import Foundation
import LogisticHead
import Workflows

extension ModelOptions {
    /// The model files these options name, with the head and encoder options (`--head`, `--prior`, `--encoder`) and
    /// the face options that change what is loaded (`--aligned`, `--jitter`).
    func settings(face: FaceOptions? = nil, head: HeadOptions? = nil, encoder: EncoderOptions? = nil) -> ModelSettings {
        ModelSettings(folder: url, encoderFile: encoder?.file, headFile: head?.head, prior: head?.prior,
                      aligned: face?.aligned ?? false, jitter: face?.effectiveJitter ?? 0)
    }

    /// The models of a job (see `LoadedModels.load`); a missing or bad model file is a failure with exit code 3.
    func load(face: FaceOptions, head: HeadOptions? = nil, encoder: EncoderOptions? = nil, embed: Bool = true,
              encoderThreads: Int = 1) throws -> LoadedModels {
        do {
            return try LoadedModels.load(settings(face: face, head: head, encoder: encoder), embed: embed, head: head != nil,
                                         encoderThreads: encoderThreads)
        } catch {
            throw CommandFailure(error)
        }
    }

    /// The pipeline for these face options: detector and landmarks unless `--aligned`, the encoder when `embed`.
    func analyzer(_ face: FaceOptions, encoder options: EncoderOptions? = nil, embed: Bool = true,
                  encoderThreads: Int = 1) throws -> FaceAnalyzer {
        try load(face: face, encoder: options, embed: embed, encoderThreads: encoderThreads).analyzer
    }

    /// The decision head: `--head FILE`, else the trained encoder's sibling head, else `head.h5` in the models folder,
    /// checked against the encoder's embedding size and fingerprint; `prior` shifts it.
    func head(_ options: HeadOptions, encoder: any ImageEncoder, encoderOptions: EncoderOptions? = nil) throws -> LogisticHead {
        do { return try LoadedModels.loadHead(settings(head: options, encoder: encoderOptions), encoder: encoder) } catch {
            throw CommandFailure(error)
        }
    }
}
