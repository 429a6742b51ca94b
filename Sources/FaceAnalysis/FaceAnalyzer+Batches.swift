import FaceEmbedding
import Foundation
import PairNet

/// Batching across images: the encoder runs fastest on batches of faces (its products are wider), and since an
/// embedding is bitwise the same whichever batch it is computed in (`Encoder`), a job may gather the faces of
/// several photos into one `embeddings` call without changing any result.
extension FaceAnalyzer {
    /// Largest number of images whose faces one `analyze(contentsOf:)` batch gathers (bounds memory: decoded photos
    /// and their chips are held until the batch is embedded).
    public static let imagesPerBatch = 16

    /// Images per batch for a job of `count` images on `threads` workers: enough batches to keep every worker
    /// busy, at most `imagesPerBatch` images each.
    public static func imagesPerBatch(count: Int, threads: Int) -> Int {
        max(1, min(imagesPerBatch, (count + max(1, threads) - 1) / max(1, threads)))
    }

    /// Analyses every file of `urls` as `analyze(contentsOf:options:)` does, in order, one result each, but with
    /// the faces of all of them embedded in one batch. An image that fails is its own `.failure`; the others are
    /// unaffected. Call it from one worker thread (the encoder runs on one thread here).
    public func analyze(contentsOf urls: [URL], options: AnalysisOptions) -> [Result<AnalyzedImage, Error>] {
        guard options.embed, let encoder, encoder.input != .wholeImages else {
            return urls.map { url in Result { try analyze(contentsOf: url, options: options) } }
        }
        var found = options
        found.embed = false
        var results = urls.map { url in Result { try analyze(contentsOf: url, options: found) } }
        let chips = results.flatMap { r -> [FaceChip] in (try? r.get())?.faces.map(\.chip) ?? [] }
        guard !chips.isEmpty else { return results }
        let embeddings: [Embedding]
        do { embeddings = try self.embeddings(of: chips, jitter: options.jitter) } catch {
            return results.map { r in r.flatMap { _ in .failure(error) } }
        }
        var next = 0
        for i in results.indices {
            guard case .success(let image) = results[i] else { continue }
            let faces = image.faces.map { face -> AnalyzedFace in
                defer { next += 1 }
                return face.with(embedding: embeddings[next])
            }
            results[i] = .success(AnalyzedImage(path: image.path, width: image.width, height: image.height, faces: faces))
        }
        return results
    }
}
