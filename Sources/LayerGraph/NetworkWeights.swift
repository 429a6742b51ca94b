import Foundation
import WeightStore

/// A network's topology and every tensor it owns (trained form: batch norms unfolded, running statistics
/// included), the value a trained encoder file holds and the inference network is compiled from.
public struct NetworkWeights: Sendable, Equatable {
    public let spec: NetworkSpec
    /// By `ParameterInfo.path`; each of its info's shape.
    public let tensors: [String: [Float]]

    /// Checks that `tensors` holds exactly the spec's tensors with the right sizes, and that every value is finite.
    /// - Throws: `LayerGraphError` naming the tensor (`source` names the file in messages).
    public init(spec: NetworkSpec, tensors: [String: [Float]], source: String = "<network>") throws {
        let params = try spec.parameters()
        for p in params {
            guard let t = tensors[p.path] else { throw LayerGraphError.invalidFile(path: source, reason: "missing tensor \(p.path)") }
            guard t.count == p.count else {
                throw LayerGraphError.invalidFile(path: source, reason: "tensor \(p.path) has \(t.count) values, expected \(p.count) for shape \(p.shape)")
            }
            if let bad = t.firstIndex(where: { !$0.isFinite }) {
                throw LayerGraphError.invalidFile(path: source, reason: "tensor \(p.path) holds a non-finite value at index \(bad)")
            }
        }
        if tensors.count != params.count {
            let extra = Set(tensors.keys).subtracting(params.map(\.path)).sorted()
            throw LayerGraphError.invalidFile(path: source, reason: "tensors the network does not have: \(extra.joined(separator: ", "))")
        }
        self.spec = spec
        self.tensors = tensors
    }

    /// sha256 (hex) of the canonical JSON of the spec followed by every tensor's float32 bytes (little-endian) in
    /// file order: the identity heads, galleries and caches record, so a mix of encoders is refused.
    public func fingerprint() throws -> String {
        var bytes = [UInt8](try Self.canonicalJSON(spec))
        for p in try spec.parameters() {
            for v in tensors[p.path]! {
                let b = v.bitPattern.littleEndian
                bytes.append(UInt8(truncatingIfNeeded: b)); bytes.append(UInt8(truncatingIfNeeded: b >> 8))
                bytes.append(UInt8(truncatingIfNeeded: b >> 16)); bytes.append(UInt8(truncatingIfNeeded: b >> 24))
            }
        }
        return SHA256.hex(bytes)
    }

    /// The spec as JSON with sorted keys (stable across runs).
    public static func canonicalJSON(_ spec: NetworkSpec) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(spec)
    }
}
