/// The one choice of algorithm for every convolution, the encoder's and the detector's alike.
///
/// `algorithm(for:)` is the dispatch rule. It looks at the layer's geometry and at one image's plane, never at
/// the batch size, so an image's output is bitwise the same whichever batch it is computed in (the algorithms
/// round differently from one another, and every algorithm's own result is independent of the batch):
///
/// 1. Winograd F(4×4, 3×3) when `prefersWinogradF4(for:)` (3×3/1 p1 on planes of at least 36 4×4 tiles), else
///    F(2×2, 3×3) or F(2×2, 5×5) when `prefersWinograd(for:)` (3×3/1 p1 or 5×5/1 p2 with enough 2×2 tiles);
/// 2. the direct kernel for 5×5/2 unpadded layers with at most `directMaximumInputChannels` inputs;
/// 3. kernel to rows for stride-1 layers with fewer output than input channels (`admitsShifted`);
/// 4. im2col + packed product for everything else.
extension Convolution {
    /// Which fast path `forward` takes.
    public enum Algorithm: String, Sendable, CaseIterable, CustomStringConvertible {
        /// The dispatch rule's choice (`algorithm(for:)`).
        case automatic
        /// im2col + packed product (any geometry).
        case im2col
        /// Winograd F(2×2, 3×3) or F(2×2, 5×5) by kernel size; needs `isWinogradShape`.
        case winograd
        /// Winograd F(4×4, 3×3); needs a 3×3/1 p1 layer.
        case winograd4x4
        /// The direct SIMD kernel; needs `admitsDirect`.
        case direct
        /// Kernel to rows; needs `admitsShifted`.
        case shifted

        public var description: String { rawValue }
    }

    /// The algorithm the dispatch rule picks for `input` (never `.automatic`); independent of `input.n`.
    public func algorithm(for input: Shape4) -> Algorithm {
        if prefersWinogradF4(for: input) { return .winograd4x4 }
        if prefersWinograd(for: input) { return .winograd }
        if admitsDirect && inputChannels <= Self.directMaximumInputChannels { return .direct }
        if admitsShifted { return .shifted }
        return .im2col
    }

    /// Whether `algorithm` can run this layer (`.automatic` and `.im2col` always can).
    public func admits(_ algorithm: Algorithm) -> Bool {
        switch algorithm {
        case .automatic, .im2col: true
        case .winograd: isWinogradShape
        case .winograd4x4: winogradKernel == 3
        case .direct: admitsDirect
        case .shifted: admitsShifted
        }
    }

    /// Scratch floats `forward(algorithm:)` needs for `input` under `scratchLimit` (one worker).
    public func scratchCount(for input: Shape4, scratchLimit: Int = Convolution.defaultScratchLimit,
                             algorithm: Algorithm = .automatic) -> Int {
        switch algorithm == .automatic ? self.algorithm(for: input) : algorithm {
        case .winograd: winogradPlan(for: input, scratchLimit: scratchLimit).scratchCount
        case .winograd4x4: winogradPlan(for: input, scratchLimit: scratchLimit, outputSide: 4).scratchCount
        case .direct: directScratchCount(for: input)
        case .shifted: shiftedScratchCount(for: input, scratchLimit: scratchLimit)
        case .im2col, .automatic: plan(for: input, scratchLimit: scratchLimit).scratchCount
        }
    }

    /// Computes `output = epilogue(conv(input) + bias)` with a fast path (see `Algorithm`).
    ///
    /// - Parameters:
    ///   - input: `[N, I, H, W]`.
    ///   - output: `[N, O, Ho, Wo]` (see `outputShape(for:)`); must not alias `input` or the residual.
    ///   - epilogue: fused post-processing (residual of shape `[N, O, Ho, Wo]`, ReLU).
    ///   - scratch: grown to `scratchCount(for:scratchLimit:algorithm:)` floats if smaller; contents are clobbered.
    ///   - scratchLimit: bound on scratch floats (see each algorithm's blocking notes).
    ///   - algorithm: `.automatic` (the dispatch rule) or a form the layer admits (precondition).
    ///   - workers: who shares the im2col and Winograd paths (a single image's large im2col bands by runs of output
    ///     rows, other im2col packing by input channel, the products by output-channel panels or Winograd element,
    ///     the Winograd transforms by channel); the batched im2col epilogue and
    ///     the direct and kernel-to-rows paths run on the caller's thread. The output is bitwise the same for any
    ///     split. Scratch grows by a packing space (and a work space for Winograd, a band of a single image's
    ///     cols for im2col) per extra worker.
    public func forward(_ input: FeatureMap, into output: FeatureMap, epilogue: ConvEpilogue = .none,
                        scratch: FloatBuffer, scratchLimit: Int = Convolution.defaultScratchLimit,
                        algorithm: Algorithm = .automatic, workers: Workers = .one) {
        precondition(admits(algorithm), "convolution: \(algorithm) cannot run a \(kernelHeight)×\(kernelWidth)/\(strideY) "
                     + "p\(paddingY) layer of \(inputChannels) → \(outputChannels) channels")
        switch algorithm == .automatic ? self.algorithm(for: input.shape) : algorithm {
        case .winograd:
            forwardWinograd(input, into: output, epilogue: epilogue, scratch: scratch, scratchLimit: scratchLimit, workers: workers)
        case .winograd4x4:
            forwardWinograd(input, into: output, epilogue: epilogue, scratch: scratch, scratchLimit: scratchLimit, outputSide: 4,
                            workers: workers)
        case .direct:
            forwardDirect(input, into: output, epilogue: epilogue, scratch: scratch)
        case .shifted:
            forwardShifted(input, into: output, epilogue: epilogue, scratch: scratch, scratchLimit: scratchLimit)
        case .im2col, .automatic:
            forwardIm2col(input, into: output, epilogue: epilogue, scratch: scratch, scratchLimit: scratchLimit, workers: workers)
        }
    }

    /// Makes ahead the derived weights `forward(algorithm: .automatic)` uses for `input` (a Winograd form's
    /// packing), so that the first call does not pay for them and no form the layer's planes never use is made.
    public func prepare(for input: Shape4) {
        switch algorithm(for: input) {
        case .winograd: _ = packedWinogradWeights(outputSide: 2)
        case .winograd4x4: _ = packedWinogradWeights(outputSide: 4)
        case .automatic, .im2col, .direct, .shifted: break
        }
    }
}
