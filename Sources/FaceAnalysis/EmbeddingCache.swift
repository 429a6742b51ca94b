import FaceDetection
import FaceEmbedding
import Foundation
import ImageInput
import WeightStore

/// Embeddings kept between runs (`pairmatch score --cache FILE.h5`), keyed by an image's absolute path,
/// size in bytes and modification time, and valid only for one encoder, one embedding size D (`dimension`, the
/// encoder's output size) and one set of analysis settings (`settings`, e.g. "aligned=0 jitter=0 upsample=0");
/// a file made under other ones is ignored (it starts empty and is overwritten by the next `save`).
///
/// Layout (HDF5, kind `pairmatch.embedding-cache`): root attributes `encoder_fingerprint`, `settings`,
/// `embedding_dimension` (integer D; absent in files written before it existed, which are 128-d: D is then the
/// second extent of `embeddings`), `keys` (a JSON array of "path\tsize\tmtime" strings); tensors `embeddings`
/// [N, D], `boxes` [N, 4]
/// (left, top, right, bottom; may be negative at the photo's border), `has_box` [N] (0 for aligned chips),
/// `faces_found` [N]. Failures are not cached (they are cheap
/// to find again and may be fixed by the user).
public final class EmbeddingCache: @unchecked Sendable {
    public static let kind = "pairmatch.embedding-cache"
    public let url: URL
    public let encoderFingerprint: String
    /// D, the components of every embedding kept (the encoder's output size, ≥ 1).
    public let dimension: Int
    public let settings: String
    private var entries: [String: ImageFace] = [:]
    private var dirty = false
    private let lock = NSLock()

    /// Opens `url` if it exists and matches the encoder, the embedding size `dimension` (the encoder's output
    /// size, ≥ 1) and the settings; otherwise starts empty.
    /// Throws only for a file that exists but is not a readable cache (corrupt, wrong kind, misshapen tensor).
    public init(url: URL, encoderFingerprint: String, dimension: Int, settings: String) throws {
        precondition(dimension >= 1, "an embedding cache needs a dimension ≥ 1")
        self.url = url
        self.encoderFingerprint = encoderFingerprint
        self.dimension = dimension
        self.settings = settings
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let archive = try WeightArchive.read(from: url, kind: Self.kind)
        guard try archive.string("encoder_fingerprint") == encoderFingerprint, try archive.string("settings") == settings else { return }
        let stored = try archive.tensor("embeddings")   // [N, D of the file]
        let fileDimension: Int
        if archive.attributeNames().contains("embedding_dimension") {
            fileDimension = try archive.integer("embedding_dimension")
        } else if stored.shape.count == 2 {
            fileDimension = stored.shape[1]   // an older file: no attribute, 128-d
        } else {
            fileDimension = dimension         // malformed: the shape check below names it
        }
        guard fileDimension == dimension else { return }   // embeddings of another size: ignored, as another encoder's
        let keys = try JSONDecoder().decode([String].self, from: Data(try archive.string("keys").utf8))
        let n = keys.count
        let d = dimension
        let emb = try archive.tensor("embeddings", shape: [n, d]).values   // [N, D]
        let boxes = try archive.tensor("boxes", shape: [n, 4]).values
        let found = try archive.tensor("faces_found", shape: [n]).values
        let hasBox = try archive.tensor("has_box", shape: [n]).values
        for (i, key) in keys.enumerated() {
            let b = boxes[(4 * i)..<(4 * i + 4)].map { Int($0) }
            let box = hasBox[i] == 0 ? nil : FaceBox(left: b[0], top: b[1], right: b[2], bottom: b[3])
            entries[key] = ImageFace(embedding: Embedding(Array(emb[(i * d)..<(i * d + d)])), box: box, facesFound: Int(found[i]))
        }
    }

    public var count: Int { lock.lock(); defer { lock.unlock() }; return entries.count }

    /// The key of an image: absolute path, size and modification time (nil when the file cannot be stat'ed).
    public static func key(for image: URL) -> String? {
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: image.path),
              let size = attrs[.size] as? NSNumber, let date = attrs[.modificationDate] as? Date else { return nil }
        return "\(image.standardizedFileURL.path)\t\(size.int64Value)\t\(date.timeIntervalSince1970)"
    }

    public func lookup(_ image: URL) -> ImageFace? {
        guard let key = Self.key(for: image) else { return nil }
        lock.lock(); defer { lock.unlock() }
        return entries[key]
    }

    /// Keeps `face` for `image` (until `save`). Precondition: `face.embedding.dimension == dimension` (the cache is
    /// opened for the encoder that makes the embeddings).
    public func store(_ face: ImageFace, for image: URL) {
        precondition(face.embedding.dimension == dimension,
                     "embedding cache of \(dimension)-component embeddings given one of \(face.embedding.dimension)")
        guard let key = Self.key(for: image) else { return }
        lock.lock(); defer { lock.unlock() }
        entries[key] = face
        dirty = true
    }

    /// Writes the cache atomically if anything was added.
    public func save() throws {
        lock.lock(); defer { lock.unlock() }
        guard dirty else { return }
        let keys = entries.keys.sorted()
        var emb: [Float] = [], boxes: [Float] = [], hasBox: [Float] = [], found: [Float] = []
        emb.reserveCapacity(keys.count * dimension)   // [N, D]
        for k in keys {
            let f = entries[k]!
            emb += f.embedding.values
            boxes += f.box.map { [Float($0.left), Float($0.top), Float($0.right), Float($0.bottom)] } ?? [0, 0, 0, 0]
            hasBox.append(f.box == nil ? 0 : 1)
            found.append(Float(f.facesFound))
        }
        var archive = WeightArchive(kind: Self.kind, formatVersion: 1)
        archive.set(attribute: "encoder_fingerprint", .string(encoderFingerprint))
        archive.set(attribute: "settings", .string(settings))
        archive.set(attribute: "embedding_dimension", .integer(Int64(dimension)))
        archive.set(attribute: "keys", .string(String(decoding: try JSONEncoder().encode(keys), as: UTF8.self)))
        archive.set(Tensor(shape: [keys.count, dimension], values: emb), at: "embeddings")
        archive.set(Tensor(shape: [keys.count, 4], values: boxes), at: "boxes")
        archive.set(Tensor(shape: [keys.count], values: hasBox), at: "has_box")
        archive.set(Tensor(shape: [keys.count], values: found), at: "faces_found")
        try archive.write(to: url)
        dirty = false
    }
}
