/// A 2-D convolution layer (dlib `con`): cross-correlation with zero padding, one bias per output channel.
///
/// General: any input size H×W, any kernel kh×kw, stride (sy, sx) ≥ 1 and padding (py, px) with
/// 0 ≤ p < k. Output size (floored, as dlib):
/// `Ho = 1 + (H + 2·py − kh) / sy`, `Wo = 1 + (W + 2·px − kw) / sx`.
///
/// `forward` is the fast path: one of four algorithms chosen by one rule from the layer and the plane, never
/// the batch size (`Convolution+Algorithm.swift`): im2col + packed product (`Convolution+Forward.swift`),
/// Winograd F(2×2, 3×3), F(4×4, 3×3) or F(2×2, 5×5) through one block driver (`Convolution+Winograd.swift`), the direct
/// stride-2 5×5 kernel (`Convolution+Direct.swift`) and kernel-to-rows (`Convolution+Shifted.swift`).
/// `forwardNaive` is the direct 7-loop reference every one is tested against. The encoder runs batches of
/// faces through it, the detector single images of arbitrary size: every algorithm works in blocks or bands
/// bounded by `scratchLimit` floats.
public struct Convolution: Sendable {
    /// O: output channels (dlib `num_filters`).
    public let outputChannels: Int
    /// I: input channels.
    public let inputChannels: Int
    /// (kh, kw) in pixels.
    public let kernelHeight: Int, kernelWidth: Int
    /// (sy, sx) in pixels.
    public let strideY: Int, strideX: Int
    /// (py, px) zero padding in pixels on each side.
    public let paddingY: Int, paddingX: Int
    /// `[O, I, kh, kw]` (OIHW), cross-correlation weights.
    public private(set) var weights: [Float]
    /// `[O]`.
    public private(set) var bias: [Float]
    /// The weights as A `[O, K]` packed for `PackedMatrix.multiplyAdd` (every fast path's product).
    public private(set) var packedWeights: PackedMatrix
    /// `[O, I]`: the tap (py, px) of each kernel packed, for 1×1 planes (`isSingleTap`); nil for 1×1 kernels.
    public private(set) var packedTapWeights: PackedMatrix?
    /// The Winograd forms' packed weights, made on first use (`packedWinogradWeights(outputSide:)`).
    private var winogradWeights = WinogradWeightCache()
    /// `[O·kh·kw, I]`: row (o, ky, kx) holds w[o, :, ky, kx], packed for the kernel-to-rows product when
    /// `admitsShifted`, else nil.
    public private(set) var packedShiftedWeights: PackedMatrix?
    /// `[⌈O/4⌉, I, 5, 5, 4]`: the weights in blocks of 4 output channels for the direct kernel when
    /// `admitsDirect` (zero for the padding channels of the last block), else empty.
    public private(set) var directWeights: [Float] = []
    /// `[⌈O/4⌉·4]`: the bias padded with zeros to whole blocks of 4 when `admitsDirect`, else empty.
    private(set) var directBias: [Float] = []

    /// Creates the layer. `weights` is `[O, I, kh, kw]` (OIHW); `bias` is `[O]` or nil for no bias.
    /// Preconditions: sizes match, strides ≥ 1, 0 ≤ padding < kernel.
    public init(outputChannels: Int, inputChannels: Int, kernel: (height: Int, width: Int),
                stride: (y: Int, x: Int) = (1, 1), padding: (y: Int, x: Int) = (0, 0),
                weights: [Float], bias: [Float]? = nil) {
        precondition(outputChannels > 0 && inputChannels > 0 && kernel.height > 0 && kernel.width > 0,
                     "convolution: empty kernel or channel count")
        precondition(stride.y >= 1 && stride.x >= 1, "convolution: stride must be ≥ 1")
        precondition(padding.y >= 0 && padding.x >= 0 && padding.y < kernel.height && padding.x < kernel.width,
                     "convolution: padding must be in 0..<kernel")
        precondition(weights.count == outputChannels * inputChannels * kernel.height * kernel.width,
                     "convolution: \(weights.count) weights for [\(outputChannels), \(inputChannels), \(kernel.height), \(kernel.width)]")
        precondition(bias == nil || bias!.count == outputChannels, "convolution: bias must have \(outputChannels) values")
        self.outputChannels = outputChannels
        self.inputChannels = inputChannels
        self.kernelHeight = kernel.height
        self.kernelWidth = kernel.width
        self.strideY = stride.y
        self.strideX = stride.x
        self.paddingY = padding.y
        self.paddingX = padding.x
        self.weights = weights
        self.bias = bias ?? [Float](repeating: 0, count: outputChannels)
        self.packedWeights = PackedMatrix(weights, rows: outputChannels, depth: inputChannels * kernel.height * kernel.width)
        refreshDerivedWeights()
    }

    /// Recomputes the weights derived from `weights` (the packed product matrices, the Winograd transform).
    private mutating func refreshDerivedWeights() {
        packedWeights = PackedMatrix(weights, rows: outputChannels, depth: patchSize)
        winogradWeights = WinogradWeightCache()
        let o = outputChannels, i = inputChannels
        let taps = kernelHeight * kernelWidth, tap = paddingY * kernelWidth + paddingX
        packedTapWeights = taps == 1 ? nil : weights.withUnsafeBufferPointer { w in
            PackedMatrix(w.baseAddress! + tap, rows: o, depth: i, rowStride: i * taps, columnStride: taps)
        }
        packedShiftedWeights = admitsShifted ? PackedMatrix(shiftedTapMatrix(), rows: o * taps, depth: i) : nil
        directWeights = admitsDirect ? directBlockedWeights() : []
        directBias = admitsDirect ? bias + [Float](repeating: 0, count: (4 - o % 4) % 4) : []
    }

    /// `[α²]` of `[O, I]` for Winograd F(m×m, r×r), m = `outputSide`: the transformed weights U = G g Gᵀ packed
    /// per transform element ξ (α = m + r − 1; U itself is not kept: only the products read it). Made on the first
    /// call for each m and kept (`prepare(for:)` makes them ahead). Precondition: m in `winogradOutputSides`.
    public func packedWinogradWeights(outputSide m: Int) -> [PackedMatrix] {
        winogradWeights.products(outputSide: m) {
            let o = outputChannels, i = inputChannels
            let u: [Float]                                                // U [α², O, I]
            switch winogradForm(outputSide: m) {
            case .f2x3: u = WinogradF2x3.transformWeights(weights, outputChannels: o, inputChannels: i)
            case .f4x3: u = WinogradF4x3.transformWeights(weights, outputChannels: o, inputChannels: i)
            case .f2x5: u = WinogradF2x5.transformWeights(weights, outputChannels: o, inputChannels: i)
            }
            return u.withUnsafeBufferPointer { ub in
                (0..<(u.count / (o * i))).map { xi in PackedMatrix(ub.baseAddress! + xi * o * i, rows: o, depth: i, rowStride: i) }
            }
        }
    }

    /// The output tile sides whose Winograd weights are packed so far, ascending.
    public var packedWinogradOutputSides: [Int] { winogradWeights.outputSides }

    /// K = I·kh·kw: the length of one im2col column (the GEMM's inner dimension).
    @inlinable public var patchSize: Int { inputChannels * kernelHeight * kernelWidth }

    /// Multiply-adds per output pixel per image is `patchSize`; per image: O·K·Ho·Wo.
    public func multiplyAdds(for input: Shape4) -> Int {
        let o = outputShape(for: input)
        return o.count * patchSize
    }

    /// The output shape for `input` (precondition: channels match and the kernel fits the padded input).
    public func outputShape(for input: Shape4) -> Shape4 {
        precondition(input.c == inputChannels, "convolution: input has \(input.c) channels, layer expects \(inputChannels)")
        precondition(input.h + 2 * paddingY >= kernelHeight && input.w + 2 * paddingX >= kernelWidth,
                     "convolution: input \(input.h)×\(input.w) smaller than kernel \(kernelHeight)×\(kernelWidth)")
        return Shape4(n: input.n, c: outputChannels,
                      h: 1 + (input.h + 2 * paddingY - kernelHeight) / strideY,
                      w: 1 + (input.w + 2 * paddingX - kernelWidth) / strideX)
    }

    /// Folds a following per-channel affine y = γ·x + β (dlib `affine`, or a batch norm already reduced to
    /// γ' and β') into this layer: w'[o] = γ[o]·w[o], b'[o] = γ[o]·b[o] + β[o]. The folded layer computes
    /// affine(conv(x)) in one pass; results differ from the two-step form only by float rounding.
    /// `gamma`, `beta`: `[O]`.
    public func foldingAffine(gamma: [Float], beta: [Float]) -> Convolution {
        precondition(gamma.count == outputChannels && beta.count == outputChannels,
                     "foldingAffine: γ/β must have \(outputChannels) values")
        var folded = self
        let k = patchSize
        for o in 0..<outputChannels {
            for i in 0..<k { folded.weights[o * k + i] *= gamma[o] }
            folded.bias[o] = gamma[o] * bias[o] + beta[o]
        }
        folded.refreshDerivedWeights()
        return folded
    }
}

/// What happens to the convolution's output (after the bias) before it is stored, fused into the pass
/// that writes the output: nothing, ReLU, or a residual add (same shape as the output) followed by an
/// optional ReLU. Residual adds of different shapes (dlib's zero-padded `add_prev`) use `ResidualAdd`.
public struct ConvEpilogue {
    /// `[N, O, Ho, Wo]`, same shape as the convolution's output; added before the ReLU. May not alias the output.
    public var residual: FeatureMap?
    /// max(·, 0) last.
    public var relu: Bool

    public init(residual: FeatureMap? = nil, relu: Bool = false) {
        self.residual = residual
        self.relu = relu
    }

    /// Bias only.
    public static var none: ConvEpilogue { ConvEpilogue() }
    /// Bias then ReLU.
    public static var relu: ConvEpilogue { ConvEpilogue(relu: true) }
    /// Bias, + `residual`, then ReLU (a ResNet block's tail).
    public static func addThenReLU(_ residual: FeatureMap) -> ConvEpilogue { ConvEpilogue(residual: residual, relu: true) }

    var isIdentity: Bool { residual == nil && !relu }
}
