import FaceEmbedding
import Foundation

extension FaceGallery {
    /// What `enroll` does when the name is already enrolled.
    public enum ExistingIdentityPolicy: String, Sendable, CaseIterable {
        /// Add the new embeddings to the ones stored (more photos of the same person); metadata is replaced
        /// only when new metadata is given.
        case extend
        /// Drop the stored embeddings and metadata, keep only the new ones (the identity keeps its index).
        case replace
        /// Throw `.alreadyEnrolled`.
        case refuse
    }

    /// What `enroll` did.
    public enum EnrolmentOutcome: Sendable, Equatable {
        /// A new identity was created with this many embeddings.
        case added(embeddings: Int)
        /// Embeddings were added to an existing identity, which now has `total`.
        case extended(total: Int)
        /// An existing identity's embeddings were replaced; it now has `total`.
        case replaced(total: Int)
    }

    /// Enrols `name` with `embeddings` (one per photo; all kept, none averaged) and optional `metadata`
    /// (free-form text, e.g. JSON). Sets `updated` to `now`.
    ///
    /// Names are stored in Unicode NFC (`normalizedName`), so an NFD "Zoë" (as macOS file names spell it) and an
    /// NFC "Zoë" are one person; otherwise they are compared exactly (case-sensitive). They must not be empty or
    /// only whitespace, at most `GalleryLimits.maxNameBytes` UTF-8 bytes, without control characters (newline, tab, …).
    /// Every embedding must have the gallery's `dimension` components; the first enrolment into a gallery without
    /// a dimension sets it (to the size of `embeddings[0]`).
    /// Throws `GalleryError` (`.invalidName`, `.metadataTooLong`, `.noEmbeddings`, `.embeddingDimensionMismatch`,
    /// `.nonFiniteEmbedding`, `.alreadyEnrolled`, `.tooLarge`); on error the gallery is unchanged.
    /// Cost: O(D·new) for new names, O(N) for `.replace`.
    @discardableResult
    public mutating func enroll(name: String, embeddings: [Embedding], metadata: String? = nil,
                                ifEnrolled policy: ExistingIdentityPolicy = .extend, now: Date = Date()) throws(GalleryError) -> EnrolmentOutcome {
        let name = try Self.normalizedName(name)
        if let metadata, metadata.utf8.count > GalleryLimits.maxMetadataBytes {
            throw .metadataTooLong(name: name, bytes: metadata.utf8.count)
        }
        guard !embeddings.isEmpty else { throw .noEmbeddings(name: name) }
        let d = dimension ?? embeddings[0].dimension
        if let bad = embeddings.firstIndex(where: { $0.dimension != d }) {
            throw .embeddingDimensionMismatch(name: name, index: bad, gallery: d, found: embeddings[bad].dimension)
        }
        if let bad = embeddings.firstIndex(where: { !$0.values.allSatisfy(\.isFinite) }) {
            throw .nonFiniteEmbedding(name: name, index: bad)
        }
        guard owner.count + embeddings.count <= GalleryLimits.maxEmbeddings else {
            throw .tooLarge(what: "embeddings", limit: GalleryLimits.maxEmbeddings)
        }

        let outcome: EnrolmentOutcome
        let identity: Int
        if let existing = nameIndex[name] {
            identity = existing
            switch policy {
            case .refuse:
                throw .alreadyEnrolled(name: name)
            case .extend:
                embeddingCounts[identity] += embeddings.count
                if let metadata { self.metadata[identity] = metadata }
                outcome = .extended(total: embeddingCounts[identity])
            case .replace:
                removeRows { $0 == Int32(identity) }
                embeddingCounts[identity] = embeddings.count
                self.metadata[identity] = metadata
                outcome = .replaced(total: embeddings.count)
            }
        } else {
            guard names.count < GalleryLimits.maxIdentities else {
                throw .tooLarge(what: "identities", limit: GalleryLimits.maxIdentities)
            }
            identity = names.count
            names.append(name)
            self.metadata.append(metadata)
            embeddingCounts.append(embeddings.count)
            nameIndex[name] = identity
            outcome = .added(embeddings: embeddings.count)
        }
        dimension = d
        appendRows(embeddings, identity: identity)
        updated = Self.wholeSeconds(now)
        return outcome
    }

    /// Removes the identity `name` and all its embeddings; returns false (and changes nothing) when no such
    /// identity exists. Identities enrolled after it move down one index. Sets `updated` to `now`; `dimension` is
    /// kept even when the last identity goes. Cost O(N·D).
    @discardableResult
    public mutating func remove(name: String, now: Date = Date()) -> Bool {
        guard let identity = nameIndex[name] else { return false }
        let id32 = Int32(identity)
        removeRows { $0 == id32 }
        for j in owner.indices where owner[j] > id32 { owner[j] -= 1 }
        names.remove(at: identity)
        metadata.remove(at: identity)
        embeddingCounts.remove(at: identity)
        nameIndex[name] = nil
        for i in identity..<names.count { nameIndex[names[i]] = i }
        updated = Self.wholeSeconds(now)
        return true
    }

    /// `name` as the gallery stores it (Unicode NFC), or `.invalidName` when it is empty, only whitespace, longer
    /// than `GalleryLimits.maxNameBytes` UTF-8 bytes (after normalisation) or holds a control character. Callers
    /// check names with it before doing any work (e.g. every sub-folder of an enrolment).
    public static func normalizedName(_ name: String) throws(GalleryError) -> String {
        let nfc = nfc(name)
        try validate(name: nfc)
        return nfc
    }

    /// `s` in Unicode normalisation form C; ASCII (the common case) is returned as is without a Foundation call.
    static func nfc(_ s: String) -> String {
        s.utf8.allSatisfy { $0 < 0x80 } ? s : s.precomposedStringWithCanonicalMapping
    }

    /// Throws `.invalidName` unless `name` is acceptable as an identity name.
    static func validate(name: String) throws(GalleryError) {
        guard !name.isEmpty else { throw .invalidName(name: name, reason: "empty") }
        guard !name.allSatisfy(\.isWhitespace) else { throw .invalidName(name: name, reason: "only whitespace") }
        guard name.utf8.count <= GalleryLimits.maxNameBytes else {
            throw .invalidName(name: name, reason: "longer than \(GalleryLimits.maxNameBytes) UTF-8 bytes")
        }
        guard !containsControlCharacter(name) else {
            throw .invalidName(name: name, reason: "contains a control character")
        }
    }

    /// Whether `s` holds a control character (general category Cc: U+0000–U+001F, U+007F–U+009F).
    static func containsControlCharacter(_ s: String) -> Bool {
        firstControlCharacter(Array(s.utf8)) != nil
    }

    /// Appends `embeddings` (each `[D]`, D = `dimension`, checked by the caller) as rows owned by `identity`, with
    /// their norms.
    mutating func appendRows(_ embeddings: [Embedding], identity: Int) {
        let d = dimension!
        matrix.reserveCapacity(matrix.count + embeddings.count * d)
        for e in embeddings {
            matrix.append(contentsOf: e.values)
            squaredNorms.append(e.values.withUnsafeBufferPointer { Self.squaredNorm($0.baseAddress!, dimension: d) })
            owner.append(Int32(identity))
        }
    }

    /// Deletes every row whose owner satisfies `drop`, compacting `matrix`, `squaredNorms` and `owner` in place.
    mutating func removeRows(where drop: (Int32) -> Bool) {
        guard let d = dimension else { return }   // no dimension: no rows
        var kept = 0
        for j in 0..<owner.count where !drop(owner[j]) {
            if kept != j {
                owner[kept] = owner[j]
                squaredNorms[kept] = squaredNorms[j]
                matrix.withUnsafeMutableBufferPointer { m in
                    (m.baseAddress! + kept * d).update(from: m.baseAddress! + j * d, count: d)
                }
            }
            kept += 1
        }
        owner.removeLast(owner.count - kept)
        squaredNorms.removeLast(squaredNorms.count - kept)
        matrix.removeLast(matrix.count - kept * d)
    }
}
