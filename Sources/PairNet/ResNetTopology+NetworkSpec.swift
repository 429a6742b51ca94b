import LayerGraph
import WeightStore

/// The imported face ResNet in the training engine's terms: the same 108 records as a `NetworkSpec` (dlib's `con`
/// with bias, per-channel `affine`, residual blocks whose down-sampling shortcut is `avg_pool 2×2/2` and whose add
/// zero-pads, as dlib's `add_prev`) and its tensors at the spec's paths. `train-encoder --from encoder.h5` starts
/// from it to fine-tune the face encoder on aligned 150×150 chips.
extension ResNetTopology {
    /// dlib's input: (pixel − mean)/256 per R, G, B, i.e. mean/255 and std 256/255 in `InputSpec` units.
    public static var inputSpec: InputSpec {
        InputSpec(width: inputSize, height: inputSize, channels: 3,
                  mean: [122.782 / 255, 117.001 / 255, 104.298 / 255], std: [256.0 / 255, 256.0 / 255, 256.0 / 255])
    }

    /// The topology as data (no L2 normalisation: dlib's embeddings are used as they come).
    public static var networkSpec: NetworkSpec {
        var layers: [LayerSpec] = [.conv(32, kernel: 7, stride: 2), .affine, .relu, .maxPool(3, stride: 2)]
        for b in blocks {
            layers.append(.residual(body: [.conv(b.filters, kernel: 3, stride: b.down ? 2 : 1, padding: b.down ? 0 : 1), .affine, .relu,
                                           .conv(b.filters, kernel: 3, padding: 1), .affine],
                                    shortcut: b.down ? [.avgPool(2, stride: 2)] : []))
            layers.append(.relu)
        }
        layers += [.avgPool(.global), .flatten, .fc(embeddingDimension, bias: false)]
        return NetworkSpec(input: inputSpec, layers: layers)
    }

    /// The weights of an `encoder.h5` (kind `pairmatch.encoder`) at the spec's paths: the records' `weight`/`bias`/
    /// `gamma`/`beta` tensors in forward order onto the spec's parameters in the same order.
    /// - Throws: the `WeightStoreError` of a missing or misshapen tensor, `PairNetError` for another topology.
    public static func networkWeights(archive: WeightArchive) throws -> NetworkWeights {
        _ = try EncoderNetwork(archive: archive)          // checks every record against the topology
        let spec = networkSpec
        let params = try spec.parameters()
        var sources: [String] = []                       // tensor paths of the records, in order
        for (i, record) in records.enumerated() {
            let path = recordPath(i)
            switch record {
            case .con: sources += [path + "/weight", path + "/bias"]
            case .affine: sources += [path + "/gamma", path + "/beta"]
            case .fc: sources.append(path + "/weight")
            default: break
            }
        }
        precondition(sources.count == params.count, "face ResNet: \(sources.count) record tensors for \(params.count) spec tensors")
        var tensors: [String: [Float]] = [:]
        for (p, s) in zip(params, sources) { tensors[p.path] = try archive.tensor(s, shape: p.shape).values }
        return try NetworkWeights(spec: spec, tensors: tensors, source: archive.fileName)
    }
}
