import ArgumentParser
import FaceAnalysis
import Foundation

/// `--cache FILE.h5`: embeddings kept between runs (keyed by path, size and modification time).
struct CacheOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Keep embeddings in this HDF5 file for later runs (keyed by path, size, mtime).", valueName: "file.h5"))
    var cache: String?

    /// The cache for this encoder (fingerprint and embedding size) and these face settings; nil without `--cache`.
    /// A corrupt file exits 3.
    func open(encoderFingerprint: String, dimension: Int, face: FaceOptions, choice: FaceChoice) throws -> EmbeddingCache? {
        do {
            return try cache.map {
                try EmbeddingCache(url: URL(fileURLWithPath: $0), encoderFingerprint: encoderFingerprint, dimension: dimension,
                                   settings: face.cacheKey(choice))
            }
        } catch { throw CommandFailure.model(error) }
    }

    /// Saves the cache, warning (not failing) when it cannot be written.
    static func save(_ cache: EmbeddingCache?) {
        do { try cache?.save() } catch { Console.warn("cache not saved: \(error)") }
    }
}
