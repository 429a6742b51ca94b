import Foundation
import WeightStore

/// The trained-encoder file (kind `pairmatch.image-encoder`, format 1): root attributes `network` (the
/// `NetworkSpec` as JSON: topology and input spec), `fingerprint` (see `NetworkWeights.fingerprint()`),
/// `domain` (what the images are, e.g. "omniglot"; "faces" only for face encoders) and `embedding_dimension`;
/// one float32 dataset per tensor at its `ParameterInfo.path`, with its shape.
extension NetworkWeights {
    public static let fileKind = "pairmatch.image-encoder"

    /// The archive to write (atomically, through `WeightArchive.write`).
    public func archive(domain: String) throws -> WeightArchive {
        var a = WeightArchive(kind: Self.fileKind, formatVersion: 1)
        a.set(attribute: "network", .string(String(decoding: try Self.canonicalJSON(spec), as: UTF8.self)))
        a.set(attribute: "fingerprint", .string(try fingerprint()))
        a.set(attribute: "domain", .string(domain))
        a.set(attribute: "embedding_dimension", .integer(Int64(try spec.outputShape().count)))
        for p in try spec.parameters() { a.set(Tensor(shape: p.shape, values: tensors[p.path]!), at: p.path) }
        return a
    }

    /// Reads and checks an encoder archive: the topology parses and resolves, every tensor is present with its
    /// shape and finite, and the stored fingerprint equals the one recomputed from the weights (a corrupt file is
    /// an error, never a wrong answer). Returns the weights and the domain.
    public init(archive: WeightArchive) throws {
        let name = archive.fileName
        guard archive.kind == Self.fileKind else {
            throw WeightStoreError.wrongKind(path: name, expected: Self.fileKind, found: archive.kind)
        }
        let json = try archive.string("network")
        let spec: NetworkSpec
        do {
            spec = try JSONDecoder().decode(NetworkSpec.self, from: Data(json.utf8))
        } catch {
            throw LayerGraphError.invalidFile(path: name, reason: "the network description does not parse (\(error))")
        }
        var tensors: [String: [Float]] = [:]
        for p in try spec.parameters() { tensors[p.path] = try archive.tensor(p.path, shape: p.shape).values }
        try self.init(spec: spec, tensors: tensors, source: name)
        let stored = try archive.string("fingerprint")
        let actual = try fingerprint()
        guard stored == actual else {
            throw LayerGraphError.invalidFile(path: name, reason: "weights do not match the stored fingerprint (stored \(stored.prefix(12))…, computed \(actual.prefix(12))…): the file is corrupt")
        }
    }
}
