import ArgumentParser
import Foundation
import PairsInput

/// `PAIRS [--images ROOT]`: the pairs file shared by score, train-head, eval and bench score.
struct PairsOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Pairs file: CSV (a,b[,label], header optional) or an LFW pairs list.", valueName: "pairs"))
    var pairs: String

    @Option(help: ArgumentHelp("Folder the pairs' paths are relative to (default: the pairs file's folder).", valueName: "root"))
    var images: String?

    var root: URL? { images.map { URL(fileURLWithPath: $0) } }

    /// Reads `path` (default: the pairs argument) against `--images`, refusing files over `maxBytes` (the
    /// command's `--max-bytes`) and non-regular files; a file-level problem exits 2.
    func read(_ path: String? = nil, maxBytes: Int) throws -> PairsFile {
        do {
            return try PairsReader.read(URL(fileURLWithPath: path ?? pairs), imagesRoot: root, maxBytes: maxBytes)
        } catch {
            throw CommandFailure.badInput(error)
        }
    }
}
