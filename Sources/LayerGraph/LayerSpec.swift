/// One layer of a network, as data: the same list drives the training engine's forward and backward, the
/// inference network it exports to, parameter counts, FLOPs, buffer sizes and the file layout.
///
/// Semantics follow dlib where both exist: cross-correlation convolutions with zero padding, pooling over
/// windows clipped to the plane (padding never contributes; the mean divides by the elements inside),
/// floored output sizes `1 + (H + 2·p − k) / s`, and `residual` adds with dlib's `add_prev` rule (the
/// larger size in every dimension, the missing part of the smaller operand counting as 0).
public indirect enum LayerSpec: Codable, Equatable, Hashable, Sendable {
    /// 2-D convolution, weights `[O, I, kh, kw]` (+ bias `[O]`).
    case convolution(ConvolutionSpec)
    /// Batch normalisation per channel: batch statistics (and running averages) in training, running
    /// statistics in evaluation. γ, β `[C]`; running mean and variance `[C]` (buffers, not parameters).
    case batchNorm(BatchNormSpec)
    /// Per-channel affine y = γ·x + β, γ and β trainable `[C]` (dlib's `affine` layer).
    case affine
    /// max(x, 0).
    case relu
    /// Max pooling; ties send the gradient to the first maximum in row-major window order.
    case maxPool(PoolSpec)
    /// Average pooling (kernel 0×0: the whole plane, `[C, H, W]` → `[C, 1, 1]`).
    case avgPool(PoolSpec)
    /// out = body(x) + shortcut(x) (an empty shortcut is the identity), with `add_prev`'s shape rule.
    case residual(body: [LayerSpec], shortcut: [LayerSpec])
    /// y = x·W + b with dlib's orientation: W `[I, O]`, b `[O]`; x is the image flattened (`[C·H·W]`).
    case fullyConnected(outputs: Int, bias: Bool)
    /// `[C, H, W]` → `[C·H·W, 1, 1]` (no data movement).
    case flatten
    /// y = x / max(‖x‖₂, 1e-12) over each image's C·H·W values.
    case l2Normalize
}

/// A convolution's hyper-parameters (pixels).
public struct ConvolutionSpec: Codable, Equatable, Hashable, Sendable {
    /// Output channels O.
    public var filters: Int
    public var kernelHeight: Int, kernelWidth: Int
    public var strideY: Int, strideX: Int
    public var paddingY: Int, paddingX: Int
    /// Whether the layer has a bias `[O]` (false when a batch norm follows: its β is the bias).
    public var bias: Bool

    /// A square `kernel × kernel` convolution with equal strides and paddings.
    public init(filters: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true) {
        self.init(filters: filters, kernel: (kernel, kernel), stride: (stride, stride), padding: (padding, padding), bias: bias)
    }

    public init(filters: Int, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), bias: Bool = true) {
        self.filters = filters
        kernelHeight = kernel.0; kernelWidth = kernel.1
        strideY = stride.0; strideX = stride.1
        paddingY = padding.0; paddingX = padding.1
        self.bias = bias
    }
}

/// Batch normalisation's constants.
public struct BatchNormSpec: Codable, Equatable, Hashable, Sendable {
    /// Added to the variance before the square root.
    public var epsilon: Float
    /// running = (1 − momentum)·running + momentum·batch (PyTorch's convention; the running variance uses the
    /// unbiased batch variance).
    public var momentum: Float
    public init(epsilon: Float = 1e-5, momentum: Float = 0.1) {
        self.epsilon = epsilon
        self.momentum = momentum
    }
}

/// A pooling window (pixels). Kernel 0×0 means the whole plane (then stride 1, padding 0).
public struct PoolSpec: Codable, Equatable, Hashable, Sendable {
    public var kernelHeight: Int, kernelWidth: Int
    public var strideY: Int, strideX: Int
    public var paddingY: Int, paddingX: Int

    public init(kernel: Int, stride: Int, padding: Int = 0) {
        kernelHeight = kernel; kernelWidth = kernel
        strideY = stride; strideX = stride
        paddingY = padding; paddingX = padding
    }

    public init(kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int) = (0, 0)) {
        kernelHeight = kernel.0; kernelWidth = kernel.1
        strideY = stride.0; strideX = stride.1
        paddingY = padding.0; paddingX = padding.1
    }

    /// The whole plane.
    public static var global: PoolSpec { PoolSpec(kernel: 0, stride: 1) }
    public var isGlobal: Bool { kernelHeight == 0 && kernelWidth == 0 }
}

extension LayerSpec {
    /// `convolution` with a square kernel.
    public static func conv(_ filters: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true) -> LayerSpec {
        .convolution(ConvolutionSpec(filters: filters, kernel: kernel, stride: stride, padding: padding, bias: bias))
    }
    /// Batch norm with the default constants.
    public static var bn: LayerSpec { .batchNorm(BatchNormSpec()) }
    public static func maxPool(_ kernel: Int, stride: Int, padding: Int = 0) -> LayerSpec {
        .maxPool(PoolSpec(kernel: kernel, stride: stride, padding: padding))
    }
    public static func avgPool(_ kernel: Int, stride: Int, padding: Int = 0) -> LayerSpec {
        .avgPool(PoolSpec(kernel: kernel, stride: stride, padding: padding))
    }
    public static func fc(_ outputs: Int, bias: Bool = true) -> LayerSpec { .fullyConnected(outputs: outputs, bias: bias) }

    /// A short human-readable name.
    public var name: String {
        switch self {
        case .convolution(let c): return "conv \(c.kernelHeight)×\(c.kernelWidth)/\(c.strideY) p\(c.paddingY) → \(c.filters)"
        case .batchNorm: return "batch norm"
        case .affine: return "affine"
        case .relu: return "relu"
        case .maxPool(let p): return p.isGlobal ? "max pool (global)" : "max pool \(p.kernelHeight)×\(p.kernelWidth)/\(p.strideY)"
        case .avgPool(let p): return p.isGlobal ? "avg pool (global)" : "avg pool \(p.kernelHeight)×\(p.kernelWidth)/\(p.strideY)"
        case .residual(let b, let s): return "residual (\(b.count) layers, shortcut \(s.count))"
        case .fullyConnected(let o, _): return "fc → \(o)"
        case .flatten: return "flatten"
        case .l2Normalize: return "l2 normalise"
        }
    }
}
