import FaceEmbedding
import Foundation

/// A 1:N face gallery: enrolled identities, each with one or more embeddings of one encoder, held as one
/// contiguous search matrix.
///
/// One-shot recognition: a person is enrolled from as little as one photo; the photo's `Embedding` (the encoder's
/// raw output, D floats: 128 for dlib's face ResNet) is computed once by the caller and stored. Enrolling several
/// photos of a person **keeps every embedding** (no averaging); an identity is scored by its best-matching
/// (nearest) embedding.
///
/// Dimension: every stored embedding has `dimension` = D components. It comes from the file (`load`), from
/// `create(encoderFingerprint:dimension:)` (the encoder's output size) or else from the first enrolment; a gallery
/// that never held an embedding and was given no size has `dimension == nil`. Enrolling or searching with
/// embeddings of another size throws `GalleryError.embeddingDimensionMismatch`.
///
/// In memory (N embeddings, K identities):
/// - `matrix` `[N, D]` row-major float32, the search matrix (the same layout as the file's `embeddings`);
/// - `squaredNorms` `[N]`, ‖g_j‖², kept in step with `matrix` for the GEMM distance identity;
/// - `owner` `[N]`, the identity index of each row;
/// - `names`, `metadata`, `embeddingCounts` `[K]` per identity, in enrolment order (identity index = position).
///
/// Memory is the matrix plus ~(8 bytes + name) per row; loading keeps no other copy of the file's arrays.
/// A value type: copies share storage until one is mutated (copy-on-write), so pass it freely; mutate one copy.
public struct FaceGallery: Sendable {
    /// The archive kind of gallery files.
    public static let archiveKind = "pairmatch.gallery"
    /// The file layout version this code writes and reads.
    public static let formatVersion = 1

    /// Fingerprint of the encoder every stored embedding comes from (as the encoder file reports it).
    public let encoderFingerprint: String
    /// D, the number of components of every stored embedding (the encoder's output size); nil only while the
    /// gallery has never held an embedding and was created without a size. Fixed once set (removing every
    /// identity keeps it).
    public internal(set) var dimension: Int?
    /// When the gallery was created (whole seconds).
    public internal(set) var created: Date
    /// When identities were last enrolled or removed (whole seconds).
    public internal(set) var updated: Date

    /// `[K]` identity names, unique.
    var names: [String]
    /// `[K]` optional free-form metadata (e.g. JSON) per identity.
    var metadata: [String?]
    /// `[K]` number of rows owned by each identity (≥ 1).
    var embeddingCounts: [Int]
    /// name → identity index.
    var nameIndex: [String: Int]
    /// `[N, D]` row-major float32 embeddings.
    var matrix: [Float]
    /// `[N]` squared Euclidean norms of the rows of `matrix`.
    var squaredNorms: [Float]
    /// `[N]` identity index of each row.
    var owner: [Int32]

    /// An empty gallery for embeddings of the encoder `encoderFingerprint`, of `dimension` components each (the
    /// encoder's output size; nil: taken from the first enrolment); `created == updated == now`.
    /// Precondition: `dimension` ≥ 1 when given.
    public static func create(encoderFingerprint: String, dimension: Int? = nil, now: Date = Date()) -> FaceGallery {
        FaceGallery(encoderFingerprint: encoderFingerprint, dimension: dimension, created: now, updated: now)
    }

    init(encoderFingerprint: String, dimension: Int?, created: Date, updated: Date) {
        precondition(dimension.map { $0 >= 1 } ?? true, "a gallery's embeddings have at least 1 component")
        self.encoderFingerprint = encoderFingerprint
        self.dimension = dimension
        self.created = Self.wholeSeconds(created)
        self.updated = Self.wholeSeconds(updated)
        names = []
        metadata = []
        embeddingCounts = []
        nameIndex = [:]
        matrix = []
        squaredNorms = []
        owner = []
    }

    /// The number of enrolled identities K.
    public var count: Int { names.count }
    /// Whether no identity is enrolled.
    public var isEmpty: Bool { names.isEmpty }
    /// The total number of stored embeddings N (rows of the search matrix).
    public var embeddingCount: Int { owner.count }

    /// One enrolled person as listed by `identities`.
    public struct Identity: Sendable, Equatable, Hashable {
        /// The unique name given at enrolment.
        public let name: String
        /// How many embeddings (photos) are stored for this identity (≥ 1).
        public let embeddingCount: Int
        /// Free-form metadata given at enrolment, e.g. a JSON object; nil when none.
        public let metadata: String?

        public init(name: String, embeddingCount: Int, metadata: String?) {
            self.name = name
            self.embeddingCount = embeddingCount
            self.metadata = metadata
        }
    }

    /// Every identity in enrolment order (`K` entries; builds the list, O(K)).
    public var identities: [Identity] {
        names.indices.map { Identity(name: names[$0], embeddingCount: embeddingCounts[$0], metadata: metadata[$0]) }
    }

    /// The identity called `name`, or nil.
    public func identity(named name: String) -> Identity? {
        guard let i = nameIndex[name] else { return nil }
        return Identity(name: name, embeddingCount: embeddingCounts[i], metadata: metadata[i])
    }

    /// Whether an identity called `name` is enrolled.
    public func contains(name: String) -> Bool { nameIndex[name] != nil }

    /// The stored embeddings of `name` in the order they were enrolled, or nil for an unknown name. O(N) scan.
    public func embeddings(of name: String) -> [Embedding]? {
        guard let i = nameIndex[name] else { return nil }
        return rows(of: i).map(embedding(row:))
    }

    /// Row `row` of the matrix as an `Embedding` `[D]` (the gallery holds rows, so `dimension` is set).
    func embedding(row: Int) -> Embedding {
        let d = dimension!
        return Embedding(Array(matrix[row * d ..< (row + 1) * d]))
    }

    /// The rows owned by identity `identity`, ascending. O(N) scan of `owner`.
    func rows(of identity: Int) -> [Int] {
        let target = Int32(identity)
        var result: [Int] = []
        result.reserveCapacity(embeddingCounts[identity])
        owner.withUnsafeBufferPointer { o in
            for j in 0..<o.count where o[j] == target { result.append(j) }
        }
        return result
    }

    /// `date` truncated to whole seconds (what the file's ISO-8601 text keeps).
    static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    /// ‖v‖² of one `[dimension]` row.
    static func squaredNorm(_ row: UnsafePointer<Float>, dimension: Int) -> Float {
        var s: Float = 0
        for k in 0..<dimension { s += row[k] * row[k] }
        return s
    }

    /// Recomputes `squaredNorms` `[N]` from `matrix`.
    mutating func recomputeNorms() {
        let n = owner.count
        let d = dimension ?? 0   // nil only without rows
        squaredNorms = [Float](unsafeUninitializedCapacity: n) { buf, initialised in
            matrix.withUnsafeBufferPointer { m in
                for j in 0..<n { buf[j] = Self.squaredNorm(m.baseAddress! + j * d, dimension: d) }
            }
            initialised = n
        }
    }
}
