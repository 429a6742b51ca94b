import FaceEmbedding

/// The encoder's topology, written in Swift (dlib's `.dat` and our `encoder.h5` store only the layer
/// records, not the tag/skip wiring): dlib_face_recognition_resnet_model_v1, a 29-conv ResNet,
/// 150×150×3 → 128.
///
/// ```
/// con 32 7×7/2 · affine · relu · max_pool 3×3/2                       150×150×3 → 32×35×35
/// 14 residual blocks (filters, down-sampling):
///   3 × (32), (64, down), 3 × (64), (128, down), 2 × (128), (256, down), 2 × (256), (256, down)
///   plain block: con f 3×3/1 p1 · affine · relu · con f 3×3/1 p1 · affine · add_prev(block input) · relu
///   down block:  con f 3×3/2 p0 · affine · relu · con f 3×3/1 p1 · affine · avg_pool 2×2/2 of the block
///                input · add_prev (zero-padded to the larger size in every dimension) · relu
/// avg_pool everything · fc 256 → 128 (no bias)
/// ```
/// 108 layer records in forward order. Spatial sizes: 35 → 17 → 8 → 4 (conv 3, shortcut 4) → 2 (conv 1, shortcut 2).
public enum ResNetTopology {
    /// The `network` attribute of a file holding this network.
    public static let networkName = "dlib_resnet_metric_v1"
    /// The file kind `Encoder` reads.
    public static let kind = "pairmatch.encoder"
    /// Input chip side in pixels.
    public static let inputSize = 150
    /// Output dimension: the face ResNet's embedding size (`Embedding.faceDimension`).
    public static let embeddingDimension = Embedding.faceDimension

    /// (filters, down-sampling) of each residual block, input to output.
    static let blocks: [(filters: Int, down: Bool)] =
        Array(repeating: (32, false), count: 3) + [(64, true)] + Array(repeating: (64, false), count: 3)
        + [(128, true)] + Array(repeating: (128, false), count: 2)
        + [(256, true)] + Array(repeating: (256, false), count: 2) + [(256, true)]

    /// One layer record's type and hyper-parameters, as stored under `/layers/NNN` (see MODEL_FILES.md).
    enum Record: Equatable, CustomStringConvertible {
        case con(filters: Int, kernel: [Int], stride: [Int], padding: [Int])
        case affine(mode: Int)
        case relu
        case maxPool(kernel: [Int], stride: [Int], padding: [Int])
        case avgPool(kernel: [Int], stride: [Int], padding: [Int])
        case addPrev
        case fc(inputs: Int, outputs: Int, hasBias: Bool)
        /// A record type this network never uses (e.g. `bn_con`).
        case other(type: String)

        static func con(_ f: Int, _ k: Int, _ s: Int, _ p: Int) -> Record {
            .con(filters: f, kernel: [k, k], stride: [s, s], padding: [p, p])
        }

        var description: String {
            func hp(_ k: [Int], _ s: [Int], _ p: [Int]) -> String {
                "kernel \(k.map(String.init).joined(separator: "×")) stride \(s.map(String.init).joined(separator: ",")) padding \(p.map(String.init).joined(separator: ","))"
            }
            switch self {
            case .con(let f, let k, let s, let p): return "con \(f) filters, \(hp(k, s, p))"
            case .affine(let mode): return "affine mode \(mode)"
            case .relu: return "relu"
            case .maxPool(let k, let s, let p): return "max_pool \(hp(k, s, p))"
            case .avgPool(let k, let s, let p): return "avg_pool \(hp(k, s, p))"
            case .addPrev: return "add_prev"
            case .fc(let i, let o, let b): return "fc \(i) → \(o)\(b ? " with bias" : " without bias")"
            case .other(let type): return "layer type \(type)"
            }
        }
    }

    /// The 108 records in forward order.
    static let records: [Record] = {
        var r: [Record] = [.con(32, 7, 2, 0), .affine(mode: 0), .relu, .maxPool(kernel: [3, 3], stride: [2, 2], padding: [0, 0])]
        for block in blocks {
            r += [.con(block.filters, 3, block.down ? 2 : 1, block.down ? 0 : 1), .affine(mode: 0), .relu,
                  .con(block.filters, 3, 1, 1), .affine(mode: 0)]
            if block.down { r.append(.avgPool(kernel: [2, 2], stride: [2, 2], padding: [0, 0])) }
            r += [.addPrev, .relu]
        }
        r += [.avgPool(kernel: [0, 0], stride: [1, 1], padding: [0, 0]), .fc(inputs: 256, outputs: embeddingDimension, hasBias: false)]
        return r
    }()

    /// `/layers/NNN`.
    static func recordPath(_ index: Int) -> String {
        let digits = String(index)
        return "layers/" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }
}
