/// The architectures `train-encoder --arch` offers. Both end in L2 normalisation, so embeddings lie on the unit
/// sphere (the triplet margin is in squared units of that sphere: distances² ∈ [0, 4]).
public enum EncoderArchitecture: String, CaseIterable, Codable, Sendable {
    /// Vinyals et al. 2016 / Snell et al. 2017's "Conv-4": 4 × [conv 3×3, 64 filters, padding 1 → batch norm → ReLU →
    /// max pool 2×2] → flatten (64·h·w values; 64 for 28×28 inputs) → optional fc to `dimension` → L2 normalise.
    case conv4
    /// A small ResNet: conv 3×3 32 → BN → ReLU, then three stages (32, 64, 128 filters) of one residual block each
    /// ([conv 3×3 → BN → ReLU → conv 3×3 → BN] + shortcut (identity, or conv 1×1/2 → BN when down-sampling), ReLU),
    /// global average pool, fc to `dimension`, L2 normalise.
    case resnet

    /// The network for `input`, with embeddings of `dimension` values (nil: conv4's natural size, resnet's 128).
    public func spec(input: InputSpec, dimension: Int?) throws -> NetworkSpec {
        switch self {
        case .conv4:
            var layers: [LayerSpec] = []
            for _ in 0..<4 { layers += [.conv(64, kernel: 3, padding: 1, bias: false), .bn, .relu, .maxPool(2, stride: 2)] }
            layers.append(.flatten)
            let natural = try NetworkSpec(input: input, layers: layers).outputShape().count
            if let dimension, dimension != natural { layers.append(.fc(dimension)) }
            layers.append(.l2Normalize)
            return NetworkSpec(input: input, layers: layers)
        case .resnet:
            func block(_ filters: Int, down: Bool) -> LayerSpec {
                .residual(body: [.conv(filters, kernel: 3, stride: down ? 2 : 1, padding: 1, bias: false), .bn, .relu,
                                 .conv(filters, kernel: 3, padding: 1, bias: false), .bn],
                          shortcut: down ? [.conv(filters, kernel: 1, stride: 2, bias: false), .bn] : [])
            }
            let layers: [LayerSpec] = [.conv(32, kernel: 3, padding: 1, bias: false), .bn, .relu,
                                       block(32, down: false), .relu, block(64, down: true), .relu, block(128, down: true), .relu,
                                       .avgPool(.global), .flatten, .fc(dimension ?? 128), .l2Normalize]
            return NetworkSpec(input: input, layers: layers)
        }
    }
}
