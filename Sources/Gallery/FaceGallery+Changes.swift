import FaceEmbedding
import Foundation

extension FaceGallery {
    /// Sets each person of `people` to the state given, in one pass over the matrix: a `StoredIdentity` replaces that
    /// person's embeddings and metadata (a person already enrolled keeps their identity index; a new one is added
    /// after the others), nil removes them (nothing happens for a name not enrolled). The delta a reader applies when
    /// another process changed its store (`GalleryChanges`); applying the same list twice gives the same gallery.
    ///
    /// Names are normalised to NFC; when a name appears twice the last entry counts. Each identity is validated as
    /// `enroll` validates (name, metadata length, at least one embedding, the gallery's dimension (a gallery without one
    /// takes the first embedding's), finite components) and the gallery-wide limits are checked on the result; on
    /// error (`GalleryError`) the gallery is unchanged. Sets `updated` to `now` when anything changed.
    /// Cost: O(N) for the pass plus O(D) per new embedding, however many people change.
    public mutating func setPeople(_ people: [(name: String, identity: StoredIdentity?)], now: Date = Date()) throws(GalleryError) {
        // The last state of each name, in first-appearance order.
        var order = [String]()
        var target = [String: StoredIdentity?]()
        for (name, identity) in people {
            let key = try Self.normalizedName(name)
            if target.updateValue(identity, forKey: key) == nil { order.append(key) }
        }
        var d = dimension
        var addedRows = 0, removedRows = 0, addedIdentities = 0
        for name in order {
            let existing = nameIndex[name]
            if let existing { removedRows += embeddingCounts[existing] }
            guard let identity = target[name]! else { continue }
            try Self.validate(identity, name: name, dimension: &d)
            addedRows += identity.embeddings.count
            if existing == nil { addedIdentities += 1 }
        }
        let removedIdentities = order.count { nameIndex[$0] != nil && target[$0]! == nil }
        guard owner.count - removedRows + addedRows <= GalleryLimits.maxEmbeddings else {
            throw .tooLarge(what: "embeddings", limit: GalleryLimits.maxEmbeddings)
        }
        guard names.count - removedIdentities + addedIdentities <= GalleryLimits.maxIdentities else {
            throw .tooLarge(what: "identities", limit: GalleryLimits.maxIdentities)
        }
        guard removedRows > 0 || addedRows > 0 || removedIdentities > 0 else { return }

        // 1. Drop every row of every changed person that is enrolled now (one pass).
        var changed = [Bool](repeating: false, count: names.count)   // [K]
        for name in order { if let i = nameIndex[name] { changed[i] = true } }
        if removedRows > 0 { removeRows { changed[Int($0)] } }
        // 2. Drop the removed identities, renumbering the rows' owners.
        if removedIdentities > 0 {
            var newIndex = [Int32](repeating: -1, count: names.count)   // [K] old index → new index (-1: removed)
            var kept = 0
            for i in names.indices where !(changed[i] && target[names[i]]! == nil) {
                newIndex[i] = Int32(kept)
                kept += 1
            }
            for j in owner.indices { owner[j] = newIndex[Int(owner[j])] }
            let keep = names.indices.map { newIndex[$0] >= 0 }
            names = names.indices.filter { keep[$0] }.map { names[$0] }
            metadata = metadata.indices.filter { keep[$0] }.map { metadata[$0] }
            embeddingCounts = embeddingCounts.indices.filter { keep[$0] }.map { embeddingCounts[$0] }
            nameIndex = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        }
        // 3. The new state of each person still (or newly) enrolled.
        dimension = d
        for name in order {
            guard let identity = target[name]! else { continue }
            let index: Int
            if let existing = nameIndex[name] {
                index = existing
            } else {
                index = names.count
                names.append(name)
                metadata.append(nil)
                embeddingCounts.append(0)
                nameIndex[name] = index
            }
            metadata[index] = identity.metadata
            embeddingCounts[index] = identity.embeddings.count
            appendRows(identity.embeddings, identity: index)
        }
        updated = Self.wholeSeconds(now)
    }

    /// `enroll`'s checks of one identity's metadata and embeddings; `dimension` nil takes the first embedding's size.
    private static func validate(_ identity: StoredIdentity, name: String, dimension: inout Int?) throws(GalleryError) {
        if let metadata = identity.metadata, metadata.utf8.count > GalleryLimits.maxMetadataBytes {
            throw .metadataTooLong(name: name, bytes: metadata.utf8.count)
        }
        guard let first = identity.embeddings.first else { throw .noEmbeddings(name: name) }
        let d = dimension ?? first.dimension
        if let bad = identity.embeddings.firstIndex(where: { $0.dimension != d }) {
            throw .embeddingDimensionMismatch(name: name, index: bad, gallery: d, found: identity.embeddings[bad].dimension)
        }
        if let bad = identity.embeddings.firstIndex(where: { !$0.values.allSatisfy(\.isFinite) }) {
            throw .nonFiniteEmbedding(name: name, index: bad)
        }
        dimension = d
    }
}
