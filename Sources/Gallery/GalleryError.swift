import FaceEmbedding
import WeightStore

/// Everything that can go wrong with a face gallery. `description` is one line for users; file errors name the
/// gallery file, in-memory errors start with "gallery:" and name the identity.
///
/// File-level failures of the HDF5 layer (missing file, not HDF5, wrong kind, unknown `format_version`, failed
/// atomic write) are thrown as `WeightStoreError` unchanged; they already name the file.
public enum GalleryError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The gallery at `path` was enrolled with encoder `gallery`, the caller's encoder is `expected`.
    case encoderMismatch(path: String, gallery: String, expected: String)
    /// The decision head was trained on embeddings of encoder `head`, the gallery holds encoder `gallery`'s.
    case scorerEncoderMismatch(gallery: String, scorer: String)
    /// The gallery at `path` holds embeddings of `gallery` components, the caller's encoder gives `expected`.
    case dimensionMismatch(path: String, gallery: Int, expected: Int)
    /// Embedding `index` (0-based, in the order given) of identity `name` (`"query"` for search queries) has `found`
    /// components, the gallery's embeddings have `gallery`.
    case embeddingDimensionMismatch(name: String, index: Int, gallery: Int, found: Int)
    /// The scorer (decision head) takes embeddings of `scorer` components, the gallery holds `gallery`-component ones.
    case scorerDimensionMismatch(gallery: Int, scorer: Int)
    /// The file has the gallery kind but its content is inconsistent (`reason` says which tensor / attribute).
    case corrupt(path: String, reason: String)
    /// An identity name must be non-empty and at most `GalleryLimits.maxNameBytes` UTF-8 bytes without control characters.
    case invalidName(name: String, reason: String)
    /// Metadata longer than `GalleryLimits.maxMetadataBytes` UTF-8 bytes.
    case metadataTooLong(name: String, bytes: Int)
    /// `enroll` was given no embedding.
    case noEmbeddings(name: String)
    /// Embedding `index` (0-based, in the order given) has a NaN or infinite component.
    case nonFiniteEmbedding(name: String, index: Int)
    /// `enroll(..., ifEnrolled: .refuse)` for a name already present.
    case alreadyEnrolled(name: String)
    /// No identity of that name.
    case unknownIdentity(name: String)
    /// The gallery would exceed `GalleryLimits.maxIdentities` identities or `maxEmbeddings` embeddings.
    case tooLarge(what: String, limit: Int)
    /// `topK` must be ≥ 1.
    case invalidTopK(Int)

    public var description: String {
        switch self {
        case .encoderMismatch(let p, let g, let e):
            return "\(p): gallery was enrolled with encoder \(g), but the encoder in use is \(e); re-enrol or use the matching encoder"
        case .scorerEncoderMismatch(let g, let s):
            return "gallery: embeddings come from encoder \(g), but the decision head was trained for encoder \(s)"
        case .dimensionMismatch(let p, let g, let e):
            return "\(p): gallery holds \(g)-component embeddings, but the encoder in use gives \(e)-component ones; re-enrol or use the matching encoder"
        case .embeddingDimensionMismatch(let n, let i, let g, let f):
            return "gallery: embedding \(i) of \(Self.quote(n)) has \(f) components, but the gallery holds \(g)-component embeddings"
        case .scorerDimensionMismatch(let g, let s):
            return "gallery: embeddings have \(g) components, but the decision head takes \(s)-component embeddings"
        case .corrupt(let p, let r): return "\(p): damaged gallery (\(r))"
        case .invalidName(let n, let r): return "gallery: invalid identity name \(Self.quote(n)) (\(r))"
        case .metadataTooLong(let n, let b):
            return "gallery: metadata of \(Self.quote(n)) is \(b) bytes, more than \(GalleryLimits.maxMetadataBytes)"
        case .noEmbeddings(let n): return "gallery: no embedding given to enrol \(Self.quote(n))"
        case .nonFiniteEmbedding(let n, let i): return "gallery: embedding \(i) of \(Self.quote(n)) has a NaN or infinite component"
        case .alreadyEnrolled(let n): return "gallery: \(Self.quote(n)) is already enrolled"
        case .unknownIdentity(let n): return "gallery: no identity named \(Self.quote(n))"
        case .tooLarge(let w, let l): return "gallery: too many \(w) (limit \(l))"
        case .invalidTopK(let k): return "gallery: topK must be at least 1, not \(k)"
        }
    }

    /// A name in double quotes with control characters escaped, so the message stays on one line.
    static func quote(_ s: String) -> String {
        let escaped = s.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }
        return "\"" + escaped.joined().replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// Size limits of a gallery. Counts and lengths are stored as float32 in the file (see `FaceGallery+Persistence`),
/// which represents every integer up to 2^24 exactly, hence the limits.
public enum GalleryLimits {
    /// Identities per gallery: identity indices in `owner` must be exact float32 integers.
    public static let maxIdentities = 1 << 24
    /// Embeddings per gallery (rows of the `[N, D]` matrix): row indices are kept as `Int32` in the search.
    public static let maxEmbeddings = Int(Int32.max)
    /// UTF-8 bytes of one identity name.
    public static let maxNameBytes = 1024
    /// UTF-8 bytes of one identity's metadata.
    public static let maxMetadataBytes = 1 << 20
}

