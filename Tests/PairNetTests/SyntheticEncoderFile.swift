import Foundation
@testable import PairNet
import WeightStore

/// An `encoder.h5`-shaped archive with the real topology and random weights (scaled so activations stay
/// O(1) through the 14 blocks), for testing the loader and the forward pass without the imported model.
enum SyntheticEncoderFile {
    /// `archive(seed: 1)`, built once (random weights for 5.6 M parameters are slow in debug builds).
    static let standard = makeArchive(seed: 1)

    static func archive(seed: UInt64 = 1) -> WeightArchive { seed == 1 ? standard : makeArchive(seed: seed) }

    private static func makeArchive(seed: UInt64) -> WeightArchive {
        var rng = Generator(state: seed)
        var a = WeightArchive(kind: "pairmatch.encoder", formatVersion: 1)
        a.set(attribute: "network", .string("dlib_resnet_metric_v1"))
        a.set(attribute: "input_mean_rgb", .floats([122.782, 117.001, 104.298]))
        a.set(attribute: "input_scale", .float(1.0 / 256))
        a.set(attribute: "input_size", .integers([150, 150]))
        a.set(attribute: "embedding_dimension", .integer(128))
        a.set(attribute: "fingerprint", .string("synthetic-\(seed)"))
        a.set(attribute: "source_sha256", .string("synthetic-\(seed)"))
        a.set(attribute: "source_file", .string("synthetic.dat"))
        a.set(attribute: "count", .integer(Int64(ResNetTopology.records.count)), on: "layers")
        var channels = 3, lastFilters = 3
        for (i, record) in ResNetTopology.records.enumerated() {
            let path = ResNetTopology.recordPath(i)
            a.set(attribute: "wrappers_below", .integer(0), on: path)
            switch record {
            case .con(let f, let k, let s, let p):
                let fanIn = channels * k[0] * k[1]
                let scale = Float(3.0 / Double(fanIn)).squareRoot()
                a.set(attribute: "type", .string("con"), on: path)
                a.set(attribute: "num_filters", .integer(Int64(f)), on: path)
                a.set(attribute: "kernel", .integers(k.map(Int64.init)), on: path)
                a.set(attribute: "stride", .integers(s.map(Int64.init)), on: path)
                a.set(attribute: "padding", .integers(p.map(Int64.init)), on: path)
                a.set(Tensor(shape: [f, channels, k[0], k[1]], values: (0..<f * fanIn).map { _ in rng.uniform() * scale }), at: path + "/weight")
                a.set(Tensor(shape: [f], values: (0..<f).map { _ in rng.uniform() * 0.1 }), at: path + "/bias")
                lastFilters = f
                channels = f
            case .affine:
                a.set(attribute: "type", .string("affine"), on: path)
                a.set(attribute: "mode", .integer(0), on: path)
                a.set(Tensor(shape: [lastFilters], values: (0..<lastFilters).map { _ in 0.6 + 0.3 * rng.uniform() }), at: path + "/gamma")
                a.set(Tensor(shape: [lastFilters], values: (0..<lastFilters).map { _ in 0.1 * rng.uniform() }), at: path + "/beta")
            case .relu: a.set(attribute: "type", .string("relu"), on: path)
            case .addPrev: a.set(attribute: "type", .string("add_prev"), on: path)
            case .maxPool(let k, let s, let p), .avgPool(let k, let s, let p):
                if case .maxPool = record { a.set(attribute: "type", .string("max_pool"), on: path) }
                else { a.set(attribute: "type", .string("avg_pool"), on: path) }
                a.set(attribute: "kernel", .integers(k.map(Int64.init)), on: path)
                a.set(attribute: "stride", .integers(s.map(Int64.init)), on: path)
                a.set(attribute: "padding", .integers(p.map(Int64.init)), on: path)
            case .fc(let i, let o, _):
                a.set(attribute: "type", .string("fc"), on: path)
                a.set(attribute: "num_inputs", .integer(Int64(i)), on: path)
                a.set(attribute: "num_outputs", .integer(Int64(o)), on: path)
                a.set(attribute: "has_bias", .integer(0), on: path)
                let scale = Float(3.0 / Double(i)).squareRoot()
                a.set(Tensor(shape: [i, o], values: (0..<i * o).map { _ in rng.uniform() * scale }), at: path + "/weight")
            case .other:
                fatalError("not in the topology")
            }
        }
        return a
    }

    /// The MMOD detector's first records (con 16 5×5/2, bn_con, relu), labelled as an encoder: a file
    /// from another network.
    static func detectorLikeArchive() -> WeightArchive {
        var a = archive()
        a.set(attribute: "network", .string("dlib_resnet_metric_v1"))     // even with a forged network name
        let path = ResNetTopology.recordPath(0)
        a.set(attribute: "num_filters", .integer(16), on: path)
        a.set(attribute: "kernel", .integers([5, 5]), on: path)
        a.set(attribute: "count", .integer(20), on: "layers")
        return a
    }

    /// Deterministic chips (pseudo-random pixels).
    static func chips(_ count: Int, seed: UInt64 = 7) -> [FaceChip] {
        var rng = Generator(state: seed)
        return (0..<count).map { _ in
            try! FaceChip(pixels: (0..<FaceChip.byteCount).map { _ in UInt8(truncatingIfNeeded: rng.next() >> 56) })
        }
    }

    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform in [-1, 1).
        mutating func uniform() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }
    }
}
