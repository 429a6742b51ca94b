import FaceAnalysis
import FaceEmbedding
import Foundation
import Gallery
import GalleryStore

/// Where `enroll` hands each person: an SQLite or PostgreSQL store commits them one transaction each at once (and the
/// line is printed after the commit); an HDF5 store collects them and writes the file once in `finish` (lines printed after
/// the rename). Counts what was enrolled and refused.
final class EnrolmentWriter {
    private let store: any GalleryStore
    private let encoder: any ImageEncoder
    private let policy: FaceGallery.ExistingIdentityPolicy
    private let metadata: String?
    private let singleName: Bool
    private var pending: [GalleryEnrolment] = []
    private(set) var enrolled = 0, refused = 0
    private(set) var firstRefusal: GalleryError?

    init(store: any GalleryStore, encoder: any ImageEncoder, replace: Bool, metadata: String?, singleName: Bool) {
        self.store = store
        self.encoder = encoder
        self.policy = replace ? .replace : .extend
        self.metadata = metadata
        self.singleName = singleName
    }

    /// Hands one person over (committed now for SQLite and PostgreSQL, at `finish` for HDF5). Throws store failures.
    func add(name: String, embeddings: [Embedding]) throws {
        pending.append(GalleryEnrolment(name: name, embeddings: embeddings, metadata: metadata, policy: policy))
        if store.kind != .hdf5 { try flush() }
    }

    /// Writes what is pending (the HDF5 file's one rewrite).
    func finish() throws { try flush() }

    /// People and embeddings in the gallery after the writes (one load).
    func totals() throws -> (people: Int, embeddings: Int) {
        let g = try store.load(expectingEncoder: nil, dimension: nil)
        return (g.count, g.embeddingCount)
    }

    private func flush() throws {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending = []
        try store.enroll(batch, encoderFingerprint: encoder.fingerprint, dimension: encoder.embeddingDimension) { i, result in
            let person = batch[i]
            switch result {
            case .success(let outcome):
                enrolled += 1
                switch outcome {
                case .added(let n): print("enrolled \(person.name) (\(n) photo\(n == 1 ? "" : "s"))")
                case .extended(let t): print("added \(person.embeddings.count) photo(s) to \(person.name) (now \(t))")
                case .replaced(let t): print("replaced \(person.name) (now \(t) photo\(t == 1 ? "" : "s"))")
                }
                Console.flush()
            case .failure(let error):
                refused += 1
                if firstRefusal == nil { firstRefusal = error }
                if !singleName { Console.error("\(person.name): not enrolled (\(error))") }
            }
        }
    }
}
