import Foundation

/// An HDF5 weight file held in memory: float32 tensors and typed attributes under slash-separated paths
/// (`"encoder/conv1/weight"`; `"/"` is the root group). Groups are implied by the paths of the tensors and
/// attributes under them. Every file carries the root attributes `kind` and `format_version`.
///
/// Reading loads the whole file; writing replaces the destination atomically (see `AtomicFile`).
public struct WeightArchive: Sendable {
    /// What the file holds, e.g. `"pairmatch.encoder"`; written as root attribute `kind`.
    public var kind: String
    /// The layout version of `kind`; written as root attribute `format_version`.
    public var formatVersion: Int
    /// The file this archive was read from, for error messages; nil for a new archive.
    public let source: URL?
    /// Whether this archive was read from a file whose tensors carried checksums, all of which matched
    /// (false for a new archive and for a file written before checksums; see `read(from:kind:supportedVersions:)`).
    public internal(set) var checksumsVerified = false

    /// Tensors by normalised path (no leading or trailing slash).
    var tensors: [String: Tensor] = [:]
    /// Attributes by object path ("/" for the root, else normalised) and name.
    var attributes: [String: [String: AttributeValue]] = [:]

    /// A new, empty archive.
    public init(kind: String, formatVersion: Int) {
        self.kind = kind
        self.formatVersion = formatVersion
        self.source = nil
    }

    init(kind: String, formatVersion: Int, source: URL) {
        self.kind = kind
        self.formatVersion = formatVersion
        self.source = source
    }

    /// The path of every tensor, sorted.
    public var tensorPaths: [String] { tensors.keys.sorted() }

    /// Every group path that holds tensors or attributes (without "/"), sorted.
    public var groupPaths: [String] {
        var groups = Set<String>()
        for path in Array(tensors.keys) + Array(attributes.keys) where path != "/" {
            var parts = path.split(separator: "/").map(String.init)
            if tensors[path] != nil { parts.removeLast() }
            for i in stride(from: parts.count, to: 0, by: -1) { groups.insert(parts[0..<i].joined(separator: "/")) }
        }
        return groups.sorted()
    }

    /// Stores `tensor` at `path`, replacing any tensor there.
    public mutating func set(_ tensor: Tensor, at path: String) {
        tensors[Self.normalise(path)] = tensor
    }

    /// Stores attribute `name` on the object at `path` (the root by default).
    public mutating func set(attribute name: String, _ value: AttributeValue, on path: String = "/") {
        attributes[Self.normalise(path), default: [:]][name] = value
    }

    /// Whether a tensor is stored at `path`.
    public func contains(tensor path: String) -> Bool { tensors[Self.normalise(path)] != nil }

    /// The tensor at `path`; with `expected`, its shape must match exactly.
    /// Throws `.missingTensor` or `.shapeMismatch`, naming the file and the tensor.
    public func tensor(_ path: String, shape expected: [Int]? = nil) throws -> Tensor {
        let key = Self.normalise(path)
        guard let t = tensors[key] else { throw WeightStoreError.missingTensor(path: fileName, tensor: key) }
        if let expected, expected != t.shape {
            throw WeightStoreError.shapeMismatch(path: fileName, tensor: key, expected: expected, found: t.shape)
        }
        return t
    }

    /// The names of the attributes on the object at `path`, sorted.
    public func attributeNames(on path: String = "/") -> [String] {
        (attributes[Self.normalise(path)] ?? [:]).keys.sorted()
    }

    /// Attribute `name` of the object at `path`, or `.missingAttribute`.
    public func attribute(_ name: String, on path: String = "/") throws -> AttributeValue {
        let key = Self.normalise(path)
        guard let v = attributes[key]?[name] else {
            throw WeightStoreError.missingAttribute(path: fileName, object: key, name: name)
        }
        return v
    }

    /// The path used in error messages.
    public var fileName: String { source?.path ?? "<new \(kind) file>" }

    /// "/" for the root, else the path without leading/trailing or doubled slashes.
    static func normalise(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        return parts.isEmpty ? "/" : parts.joined(separator: "/")
    }
}
