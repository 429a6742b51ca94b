import Foundation
import ModelImport
import WeightStore

/// The up-front output check every writing command calls first, before loading models or reading images:
/// `OutputPath`'s rules (no symbolic link, folder, device, FIFO or socket as an output file, no output that is an
/// input, no two outputs naming one file, folder outputs must be folders), reported as one line with exit 2.
enum OutputSafety {
    /// Checks the command's outputs against its inputs; nil entries (options not given) are skipped.
    /// - Parameters:
    ///   - files: output files (replaced atomically, or read-modify-write like a gallery or a cache).
    ///   - streaming: the one output that may be `-` (standard output), if the command streams; it is checked as a
    ///     file otherwise.
    ///   - folders: output folders (created when missing).
    ///   - inputs: every file the command reads.
    /// - Throws: `CommandFailure.badInput` (exit 2) naming the refused path.
    static func check(files: [String?], streaming: String? = nil, folders: [String?] = [], inputs: [String?]) throws {
        let ins = inputs.compactMap { $0 }
        do {
            for folder in folders.compactMap({ $0 }) { try OutputPath.checkFolder(folder) }
            if let streaming { try OutputPath.checkFile(streaming, inputs: ins, allowStdout: true) }
            let outs = files.compactMap { $0 }
            for file in outs { try OutputPath.checkFile(file, inputs: ins) }
            try OutputPath.checkDistinct((streaming.map { [$0] } ?? []) + outs)
        } catch {
            throw CommandFailure.badInput(error)
        }
    }
}

extension ModelOptions {
    /// The model files of the models folder a command may read (encoder, detector, landmarks, and the head when
    /// `head` is true), as inputs for `OutputSafety.check`; missing ones are harmless there.
    func inputPaths(head: Bool) -> [String] {
        ModelFile.allCases.map { url.appendingPathComponent($0.fileName).path } + (head ? [url.appendingPathComponent("head.h5").path] : [])
    }
}
