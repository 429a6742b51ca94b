import FaceEmbedding
import Foundation
import WeightStore

/// The gallery file: HDF5 through WeightStore, kind `pairmatch.gallery`, `format_version` 1.
///
/// Root attributes: `encoder_fingerprint` (string), `created`, `updated` (ISO-8601 UTC, whole seconds, e.g.
/// `2025-01-31T12:00:00Z`), `identity_count` K and `embedding_count` N (integers, cross-checks), and
/// `embedding_dimension` D (integer ≥ 1; written whenever the gallery has a dimension, i.e. always unless it never
/// held an embedding and was created without one).
///
/// Older files have no `embedding_dimension` (they are all 128-d): D is then the second extent of `embeddings`
/// (for an empty gallery with no dimension, `[0, 0]`). Such files load unchanged.
///
/// Tensors (float32; N embeddings, K identities, identity index = enrolment order):
/// - `embeddings` `[N, D]`: every stored embedding, raw encoder output, one row each;
/// - `owner` `[N]`: the identity index of each row (an exact integer in float32, < 2^24);
/// - `names/bytes` `[B]`, `names/lengths` `[K]`: the identity names, UTF-8 packed (see `PackedStrings`);
/// - `metadata/bytes` `[M]`, `metadata/lengths` `[K]`: the optional metadata, packed the same way, length −1 = none.
///
/// Saving is atomic (temporary file in the same folder, fsync, rename): a failed save leaves the previous file.
extension FaceGallery {
    /// Reads the gallery at `url`. With `dimension` (the encoder's output size), a gallery of embeddings of another
    /// size is refused with `GalleryError.dimensionMismatch` naming the file and both sizes (checked first); with
    /// `expectingEncoder`, a gallery enrolled with another encoder is refused with `GalleryError.encoderMismatch`
    /// naming both fingerprints; pass nil for both only to inspect (list) a gallery.
    ///
    /// Throws `WeightStoreError` for file-level problems (missing, not HDF5, not a gallery, newer format, missing
    /// attribute or tensor) and `GalleryError.corrupt` for inconsistent content. The file's embedding array
    /// becomes the search matrix without a copy; the other arrays are freed on return.
    public static func load(from url: URL, expectingEncoder: String?, dimension expectedDimension: Int? = nil) throws -> FaceGallery {
        let archive = try WeightArchive.read(from: url, kind: archiveKind, supportedVersions: formatVersion...formatVersion)
        let path = archive.fileName
        func corrupt(_ reason: String) -> GalleryError { .corrupt(path: path, reason: reason) }
        let n = try archive.integer("embedding_count")
        let embeddings = try archive.tensor("embeddings")   // [N, D]
        guard embeddings.shape.count == 2, embeddings.shape[0] == n else {
            throw corrupt("tensor 'embeddings' has shape \(embeddings.shape), expected [\(n), D] (embedding_count \(n))")
        }
        let columns = embeddings.shape[1]
        if archive.attributeNames().contains("embedding_dimension") {
            let recorded = try archive.integer("embedding_dimension")
            guard recorded >= 1, recorded == columns else {
                throw corrupt("embedding_dimension \(recorded) but tensor 'embeddings' has shape \(embeddings.shape)")
            }
        }
        guard columns >= 1 || n == 0 else { throw corrupt("tensor 'embeddings' has shape \(embeddings.shape)") }
        let d: Int? = columns >= 1 ? columns : nil   // nil: an empty gallery that never had a dimension
        if let expectedDimension, let d, d != expectedDimension {
            throw GalleryError.dimensionMismatch(path: path, gallery: d, expected: expectedDimension)
        }
        let fingerprint = try archive.string("encoder_fingerprint")
        if let expectingEncoder, expectingEncoder != fingerprint {
            throw GalleryError.encoderMismatch(path: path, gallery: fingerprint, expected: expectingEncoder)
        }
        func date(_ name: String) throws -> Date {
            let text = try archive.string(name)
            guard let d = Self.isoFormatter().date(from: text) else { throw corrupt("attribute '\(name)' = '\(text)' is not an ISO-8601 time") }
            return d
        }
        let k = try archive.integer("identity_count")
        guard k >= 0, n >= 0, k <= GalleryLimits.maxIdentities else { throw corrupt("identity_count \(k) / embedding_count \(n) out of range") }
        // Names in NFC (`assemble` normalises): files written before names were normalised may hold NFD ones.
        let names = try unpack(archive, "names", count: k, path: path).map { $0 ?? "" }
        let metadata = try unpack(archive, "metadata", count: k, path: path)

        let ownerValues = try archive.tensor("owner", shape: [n]).values   // [N], float32 in the file
        var owner = [Int32](repeating: 0, count: n)                          // [N]
        for j in 0..<n {
            let v = ownerValues[j]
            guard v >= 0, v < Float(k), v == v.rounded() else { throw corrupt("owner[\(j)] = \(v) is not an identity index below \(k)") }
            owner[j] = Int32(v)
        }
        // The checks every store shares (names, counts, finite rows), then the in-memory layout.
        return try assemble(source: path, encoderFingerprint: fingerprint, dimension: d, created: try date("created"),
                            updated: try date("updated"), names: names, metadata: metadata,
                            matrix: embeddings.values,   // [N, D], shares the file's buffer
                            owner: owner)
    }

    /// `load(from:expectingEncoder:dimension:)` when `url` exists, else a new empty gallery for `encoderFingerprint`
    /// and `dimension` (nil: set by the first enrolment; not written until `save`). The typical start of an
    /// `enroll` command.
    public static func loadOrCreate(at url: URL, encoderFingerprint: String, dimension: Int? = nil,
                                    now: Date = Date()) throws -> FaceGallery {
        FileManager.default.fileExists(atPath: url.path)
            ? try load(from: url, expectingEncoder: encoderFingerprint, dimension: dimension)
            : create(encoderFingerprint: encoderFingerprint, dimension: dimension, now: now)
    }

    /// Writes the gallery to `url` atomically (see the type's file layout); on error the previous file at `url`
    /// is untouched. Throws `WeightStoreError.writeFailed` naming `url`.
    public func save(to url: URL) throws {
        try archive().write(to: url)
    }

    /// The gallery as an in-memory archive (shares the matrix buffer; packs names and metadata).
    func archive() -> WeightArchive {
        var a = WeightArchive(kind: Self.archiveKind, formatVersion: Self.formatVersion)
        let f = Self.isoFormatter()
        a.set(attribute: "encoder_fingerprint", .string(encoderFingerprint))
        a.set(attribute: "created", .string(f.string(from: created)))
        a.set(attribute: "updated", .string(f.string(from: updated)))
        a.set(attribute: "identity_count", .integer(Int64(count)))
        a.set(attribute: "embedding_count", .integer(Int64(embeddingCount)))
        if let dimension { a.set(attribute: "embedding_dimension", .integer(Int64(dimension))) }
        a.set(Tensor(shape: [embeddingCount, dimension ?? 0], values: matrix), at: "embeddings")   // [N, D]
        a.set(Tensor(shape: [embeddingCount], values: owner.map(Float.init)), at: "owner")
        for (group, list) in [("names", names.map(Optional.some)), ("metadata", metadata)] {
            let (bytes, lengths) = PackedStrings.pack(list)
            a.set(Tensor(shape: [bytes.count], values: bytes), at: "\(group)/bytes")
            a.set(Tensor(shape: [lengths.count], values: lengths), at: "\(group)/lengths")
        }
        return a
    }

    private static func unpack(_ archive: WeightArchive, _ group: String, count: Int, path: String) throws -> [String?] {
        let lengths = try archive.tensor("\(group)/lengths", shape: [count]).values   // [K]
        let bytes = try archive.tensor("\(group)/bytes")                              // [B]
        guard bytes.shape.count == 1 else { throw GalleryError.corrupt(path: path, reason: "tensor '\(group)/bytes' is not 1-D") }
        do {
            let list = try PackedStrings.unpack(bytes: bytes.values, lengths: lengths, tensor: group,
                                                rejectControlCharacters: group == "names")
            if group == "names", let i = list.firstIndex(where: { $0 == nil }) {
                throw GalleryError.corrupt(path: path, reason: "identity \(i) has no name")
            }
            return list
        } catch let failure as PackedStringsFailure {
            throw GalleryError.corrupt(path: path, reason: failure.reason)
        }
    }

    /// ISO-8601 in UTC with whole seconds ("2025-01-31T12:00:00Z"). A new formatter per call (not Sendable).
    static func isoFormatter() -> ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f
    }
}
