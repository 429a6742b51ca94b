import FaceEmbedding
import Foundation

/// Building a gallery from stored parts, and reading its parts back, for stores other than the HDF5 file (the
/// SQLite gallery of `GalleryStore`). The parts are the in-memory layout itself:
/// - `names`, `metadata` `[K]`: the identities in enrolment order (identity index = position);
/// - `matrix` `[N, D]` row-major float32 and `owner` `[N]`: the search matrix in row order and each row's identity.
///
/// Row order is part of the gallery (rows are the order embeddings were enrolled in, with removed ones dropped), so
/// a store that keeps rows in that order gives back exactly the gallery it was given, matrix included.
extension FaceGallery {
    /// One identity with its embeddings, as `identitiesWithEmbeddings` lists them and `assemble(identities:)` takes them.
    public struct StoredIdentity: Sendable, Equatable {
        /// The identity's name (stored in NFC).
        public var name: String
        /// Free-form metadata, nil when none.
        public var metadata: String?
        /// `[count]` embeddings, each `[D]`, in the order they were enrolled (≥ 1 in a valid gallery).
        public var embeddings: [Embedding]

        public init(name: String, metadata: String?, embeddings: [Embedding]) {
            self.name = name
            self.metadata = metadata
            self.embeddings = embeddings
        }
    }

    /// The gallery made of stored parts. `source` names where the parts come from (a file, a location) in errors.
    ///
    /// Validates like `enroll` and `load` do: every name non-empty, not only whitespace, at most
    /// `GalleryLimits.maxNameBytes` UTF-8 bytes, without control characters, unique once in NFC (names are stored in
    /// NFC, as `normalizedName` gives them); metadata at most `GalleryLimits.maxMetadataBytes`; `dimension` ≥ 1 (nil
    /// only without rows); `matrix.count == owner.count · D`; every owner an identity index below K; every identity
    /// owning at least one row; every row finite (its squared norm finite, as `load` checks); the limits of
    /// `GalleryLimits`. Any failure throws `GalleryError.corrupt(path: source, reason:)`: stored parts that are not a
    /// valid gallery are damage, never a gallery that differs from the stored one. `created`/`updated` are truncated
    /// to whole seconds. Cost O(N·D); `matrix` becomes the search matrix without a copy.
    public static func assemble(source: String, encoderFingerprint: String, dimension: Int?, created: Date, updated: Date,
                                names: [String], metadata: [String?], matrix: [Float], owner: [Int32]) throws(GalleryError) -> FaceGallery {
        func corrupt(_ reason: String) -> GalleryError { .corrupt(path: source, reason: reason) }
        let k = names.count, n = owner.count
        guard metadata.count == k else { throw corrupt("\(k) names but \(metadata.count) metadata entries") }
        guard k <= GalleryLimits.maxIdentities else { throw corrupt("\(k) identities, more than \(GalleryLimits.maxIdentities)") }
        guard n <= GalleryLimits.maxEmbeddings else { throw corrupt("\(n) embeddings, more than \(GalleryLimits.maxEmbeddings)") }
        if let dimension {
            guard dimension >= 1 else { throw corrupt("embedding dimension \(dimension) is not ≥ 1") }
        } else if n > 0 {
            throw corrupt("\(n) embeddings but no embedding dimension")
        }
        let d = dimension ?? 0
        guard matrix.count == n * d else { throw corrupt("\(matrix.count) matrix values for \(n) embeddings of \(d) components") }

        var gallery = FaceGallery(encoderFingerprint: encoderFingerprint, dimension: dimension, created: created, updated: updated)
        var index = [String: Int](minimumCapacity: k)
        var normalised = [String]()   // [K]
        normalised.reserveCapacity(k)
        for (i, raw) in names.enumerated() {
            let name = nfc(raw)
            do { try validate(name: name) } catch {
                throw corrupt("identity \(i) has an invalid name: \(error)")
            }
            guard index.updateValue(i, forKey: name) == nil else { throw corrupt("name \(GalleryError.quote(name)) is stored twice") }
            if let m = metadata[i], m.utf8.count > GalleryLimits.maxMetadataBytes {
                throw corrupt("metadata of \(GalleryError.quote(name)) is \(m.utf8.count) bytes, more than \(GalleryLimits.maxMetadataBytes)")
            }
            normalised.append(name)
        }
        var counts = [Int](repeating: 0, count: k)   // [K]
        for j in 0..<n {
            let o = owner[j]
            guard o >= 0, Int(o) < k else { throw corrupt("embedding row \(j) belongs to identity \(o), not one of the \(k) stored") }
            counts[Int(o)] += 1
        }
        if let empty = counts.firstIndex(of: 0) { throw corrupt("identity \(GalleryError.quote(normalised[empty])) owns no embedding") }

        gallery.names = normalised
        gallery.metadata = metadata
        gallery.embeddingCounts = counts
        gallery.nameIndex = index
        gallery.matrix = matrix
        gallery.owner = owner
        gallery.recomputeNorms()
        // ‖g‖² is NaN or ∞ exactly when a row holds a NaN or ∞ (or overflows), so checking [N] norms checks [N, D].
        if let bad = gallery.squaredNorms.firstIndex(where: { !$0.isFinite }) {
            throw corrupt("embedding row \(bad) holds a NaN or infinity")
        }
        return gallery
    }

    /// `assemble(source:…names:metadata:matrix:owner:)` from identities with their embeddings, in enrolment order;
    /// the rows are laid out identity after identity (`identities[0]`'s embeddings first). Every embedding must have
    /// `dimension` components (nil: the first embedding's; a gallery without identities keeps nil).
    public static func assemble(source: String, encoderFingerprint: String, dimension: Int?, created: Date, updated: Date,
                                identities: [StoredIdentity]) throws(GalleryError) -> FaceGallery {
        let d = dimension ?? identities.first?.embeddings.first?.dimension
        var matrix = [Float]()   // [N, D]
        var owner = [Int32]()    // [N]
        for (i, identity) in identities.enumerated() {
            for (e, embedding) in identity.embeddings.enumerated() {
                guard embedding.dimension == d else {
                    throw .corrupt(path: source, reason: "embedding \(e) of \(GalleryError.quote(identity.name)) has \(embedding.dimension) components, the gallery's have \(d ?? 0)")
                }
                matrix.append(contentsOf: embedding.values)
                owner.append(Int32(clamping: i))
            }
        }
        return try assemble(source: source, encoderFingerprint: encoderFingerprint, dimension: d, created: created, updated: updated,
                            names: identities.map(\.name), metadata: identities.map(\.metadata), matrix: matrix, owner: owner)
    }

    /// `[K]` the stored names in enrolment order (NFC).
    public var identityNames: [String] { names }
    /// `[K]` the stored metadata in enrolment order.
    public var identityMetadata: [String?] { metadata }
    /// `[N, D]` row-major: the search matrix in row order (shares the gallery's storage; no copy).
    public var searchMatrix: [Float] { matrix }
    /// `[N]` the identity index of each row of `searchMatrix`.
    public var rowOwners: [Int32] { owner }

    /// Every identity with its embeddings, in enrolment order, each identity's embeddings in row order.
    /// One O(N·D) pass (unlike calling `embeddings(of:)` per name, which scans all rows each time).
    public var identitiesWithEmbeddings: [StoredIdentity] {
        var lists = embeddingCounts.map { c -> [Embedding] in   // [K][count]
            var list = [Embedding]()
            list.reserveCapacity(c)
            return list
        }
        for j in 0..<owner.count { lists[Int(owner[j])].append(embedding(row: j)) }
        return names.indices.map { StoredIdentity(name: names[$0], metadata: metadata[$0], embeddings: lists[$0]) }
    }
}
