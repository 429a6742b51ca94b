import Foundation

/// The files a run writes, all beside `-o OUT.h5`: `OUT.h5` (the encoder after the last epoch), `OUT.best.h5`
/// (the encoder of the epoch with the best validation one-shot accuracy), `OUT.checkpoint.h5` (resumable state,
/// rewritten after every epoch and on a clean stop), `OUT.curves.svg` (learning curves) and `OUT.head.h5` /
/// `OUT.best.head.h5`, a logistic head bound to that encoder: the binary objective's unit, or for the triplet
/// objective one fitted on pairs of training images at the end.
/// Every file is written atomically (temp file, fsync, rename).
public struct TrainingFiles: Sendable, Equatable {
    public let encoder: URL
    public let best: URL
    public let checkpoint: URL
    public let curves: URL
    public let head: URL
    public let bestHead: URL

    public init(output: URL) {
        encoder = output
        let base = output.pathExtension.lowercased() == "h5" ? output.deletingPathExtension() : output
        func sibling(_ suffix: String) -> URL { URL(fileURLWithPath: base.path + suffix) }
        best = sibling(".best.h5")
        checkpoint = sibling(".checkpoint.h5")
        curves = sibling(".curves.svg")
        head = sibling(".head.h5")
        bestHead = sibling(".best.head.h5")
    }

    /// Every path, for the up-front checks that none of them is an input or a non-regular file.
    public var all: [URL] { [encoder, best, checkpoint, curves, head, bestHead] }
}
