import FaceEmbedding
import Foundation

/// A 1:N face gallery: enrolled identities, each with one or more embeddings of one encoder, held as one
/// contiguous search matrix.
///
/// One-shot recognition: a person is enrolled from as little as one photo; the photo's `Embedding` (raw dlib
/// metric space, 128 floats) is computed once by the caller and stored. Enrolling several photos of a person
/// **keeps every embedding** (no averaging); an identity is scored by its best-matching (nearest) embedding.
///
/// In memory (N embeddings, K identities):
/// - `matrix` `[N, 128]` row-major float32, the search matrix (the same layout as the file's `embeddings`);
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
    /// `[N, 128]` row-major float32 embeddings.
    var matrix: [Float]
    /// `[N]` squared Euclidean norms of the rows of `matrix`.
    var squaredNorms: [Float]
    /// `[N]` identity index of each row.
    var owner: [Int32]

    /// An empty gallery for embeddings of the encoder `encoderFingerprint`; `created == updated == now`.
    public static func create(encoderFingerprint: String, now: Date = Date()) -> FaceGallery {
        FaceGallery(encoderFingerprint: encoderFingerprint, created: now, updated: now)
    }

    init(encoderFingerprint: String, created: Date, updated: Date) {
        self.encoderFingerprint = encoderFingerprint
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

    /// Row `row` of the matrix as an `Embedding`.
    func embedding(row: Int) -> Embedding {
        let d = Embedding.dimension
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

    /// ‖v‖² of one `[128]` row.
    static func squaredNorm(_ row: UnsafePointer<Float>) -> Float {
        var s: Float = 0
        for k in 0..<Embedding.dimension { s += row[k] * row[k] }
        return s
    }

    /// Recomputes `squaredNorms` `[N]` from `matrix`.
    mutating func recomputeNorms() {
        let n = owner.count
        let d = Embedding.dimension
        squaredNorms = [Float](unsafeUninitializedCapacity: n) { buf, initialised in
            matrix.withUnsafeBufferPointer { m in
                for j in 0..<n { buf[j] = Self.squaredNorm(m.baseAddress! + j * d) }
            }
            initialised = n
        }
    }
}
