import NetLayers

/// dlib's `mmod_human_face_detector` network at inference, with every batch norm folded into its convolution:
///
/// ```
/// input [1, 3, H, W]  (pixel − mean_rgb)/256, planar R, G, B (the tiled pyramid)
/// con 16 5×5/2 p0 · bn · relu   → [1, 16, H1, W1]   H1 = (H − 5)/2 + 1
/// con 32 5×5/2 p0 · bn · relu   → [1, 32, H2, W2]
/// con 32 5×5/2 p0 · bn · relu   → [1, 32, H3, W3]   (1/8 resolution)
/// 3 × (con 45 5×5/1 p2 · bn · relu) → [1, 45, H3, W3]
/// con 1 9×9/1 p4                → [1, 1, H3, W3]    the score map
/// ```
///
/// It is built by `MMODModel(archive:)` (`MMODModel.swift`), which checks every hyper-parameter of the file.
/// Immutable and `Sendable`; `forward` takes its buffers from the caller's `MMODWorkspace`.
public struct MMODNetwork: Sendable {
    /// The convolutions in forward order, batch norm folded in; all but the last are followed by ReLU.
    public let convolutions: [Convolution]
    /// Mean R, G, B (0…255 pixel units) subtracted before scaling.
    public let meanRGB: (r: Float, g: Float, b: Float)
    /// Input scale: (pixel − mean)·scale; dlib's pyramid input divides by 256.
    public let inputScale: Float
    /// Which code `forward` runs the convolutions with.
    public enum Path: Sendable, Equatable {
        /// Each layer by NetLayers' dispatch rule (`Convolution.algorithm(for:)`: Winograd F(2×2, 5×5) for the
        /// 45-channel 5×5 layers, the direct kernel for the first two down-sampling layers, kernel to rows for the
        /// final 9×9 → 1, im2col for the third down-sampling layer): the product's path.
        case specialised
        /// Every layer through NetLayers' generic `Convolution.forwardIm2col` at its default scratch: the
        /// benchmark's same-run baseline and a cross-check in tests.
        case generic
    }

    /// Wraps already folded layers (tests build small synthetic networks this way).
    public init(convolutions: [Convolution], meanRGB: (r: Float, g: Float, b: Float), inputScale: Float = 1.0 / 256) {
        precondition(!convolutions.isEmpty, "MMODNetwork: no layers")
        for (a, b) in zip(convolutions, convolutions.dropFirst()) {
            precondition(a.outputChannels == b.inputChannels, "MMODNetwork: channel counts do not chain")
        }
        self.convolutions = convolutions
        self.meanRGB = meanRGB
        self.inputScale = inputScale
    }

    /// Input channels (3, RGB).
    public var inputChannels: Int { convolutions[0].inputChannels }

    /// The score map's shape for an input of `height × width` pixels, or nil when the input is too small for
    /// the network (some kernel does not fit).
    public func outputShape(height: Int, width: Int) -> Shape4? {
        var s = Shape4(n: 1, c: inputChannels, h: height, w: width)
        for conv in convolutions {
            guard s.h + 2 * conv.paddingY >= conv.kernelHeight, s.w + 2 * conv.paddingX >= conv.kernelWidth else { return nil }
            s = conv.outputShape(for: s)
        }
        return s
    }

    /// dlib's `output_tensor_to_input_tensor`: the input-tensor point (pixels, x = column) a score-map position
    /// maps to. Each convolution, from the last to the first, maps p ↦ p·stride − padding + ⌊kernel/2⌋
    /// (for this network: x = 8·column + 14, y = 8·row + 14).
    public func inputPoint(column: Int, row: Int) -> (x: Double, y: Double) {
        var x = Double(column), y = Double(row)
        for conv in convolutions.reversed() {
            x = x * Double(conv.strideX) - Double(conv.paddingX) + Double(conv.kernelWidth / 2)
            y = y * Double(conv.strideY) - Double(conv.paddingY) + Double(conv.kernelHeight / 2)
        }
        return (x, y)
    }

    /// dlib's `input_tensor_to_output_tensor`: the inverse of `inputPoint` (fractional score-map coordinates).
    public func outputPoint(x: Double, y: Double) -> (column: Double, row: Double) {
        var x = x, y = y
        for conv in convolutions {
            x = (x + Double(conv.paddingX) - Double(conv.kernelWidth / 2)) / Double(conv.strideX)
            y = (y + Double(conv.paddingY) - Double(conv.kernelHeight / 2)) / Double(conv.strideY)
        }
        return (x, y)
    }

    /// Runs the network on `input` (`[1, 3, H, W]`, already normalised, normally `workspace.input`, which it
    /// overwrites) and returns a view of the score map `[1, 1, Ho, Wo]` inside `workspace` (valid until the
    /// workspace is used again).
    /// `path` selects the convolution code (the results agree to float rounding); `afterLayer(i)` is called
    /// when layer `i` has finished (the benchmark's per-layer clock).
    /// Precondition: `outputShape(height: H, width: W) != nil`.
    public func forward(_ input: FeatureMap, workspace: MMODWorkspace, path: Path = .specialised,
                        afterLayer: ((Int) -> Void)? = nil) -> FeatureMap {
        precondition(input.shape.n == 1 && input.shape.c == inputChannels, "MMODNetwork: input is \(input.shape)")
        var current = input
        for (i, conv) in convolutions.enumerated() {   // layer i: [1, C_i, h_i, w_i]
            let outShape = conv.outputShape(for: current.shape)
            // Ping-pong between the activation buffer and the input's buffer (free once layer 0 has run):
            // layer 0 → activation, layer 1 → input buffer, layer 2 → activation, …
            let buffer = i % 2 == 0 ? workspace.activation : workspace.input
            let output = buffer.map(outShape)                                   // [1, O, Ho, Wo]
            let last = i == convolutions.count - 1
            conv.forward(current, into: output, epilogue: last ? .none : .relu, scratch: workspace.scratch,
                         scratchLimit: path == .generic ? Convolution.defaultScratchLimit : workspace.scratchLimit,
                         algorithm: path == .generic ? .im2col : .automatic)
            current = output
            afterLayer?(i)
        }
        return current
    }

    /// Multiply-adds of one forward pass on a `height × width` input (0 when too small).
    public func multiplyAdds(height: Int, width: Int) -> Int {
        guard outputShape(height: height, width: width) != nil else { return 0 }
        var s = Shape4(n: 1, c: inputChannels, h: height, w: width)
        var total = 0
        for conv in convolutions {
            total += conv.multiplyAdds(for: s)
            s = conv.outputShape(for: s)
        }
        return total
    }
}

/// The reusable buffers of one detection in flight: the tiled input tensor, two activation buffers and the
/// convolutions' scratch. Belongs to one thread at a time (`FaceDetector` keeps a small pool).
public final class MMODWorkspace: @unchecked Sendable {
    /// `[1, 3, H, W]`: the normalised tiled pyramid; reused for the outputs of layers 1, 3 and 5.
    public let input = FloatBuffer()
    /// Activations of layers 0, 2, 4, 6 (`[1, C, h, w]`); layers 1, 3, 5 reuse `input`.
    public let activation = FloatBuffer()
    /// The convolutions' scratch (im2col, Winograd, kernel-to-rows bands, the direct layers' column-split rows),
    /// at most about `scratchLimit` floats plus the products' packing space.
    public let scratch = FloatBuffer()
    /// Bound on the im2col scratch in floats (`defaultScratchLimit` unless given).
    public let scratchLimit: Int

    /// 512 Ki floats (2 MiB): each band's im2col matrix stays in cache while OpenBLAS packs it. Measured with
    /// `DetectorBenchmark.layerProfile` on a 250×250 photo (tensor 272×957), one thread, same run: 64 Ki floats
    /// 48.7 ms, 256 Ki 37.0, 512 Ki 36.6, 1 Mi 38.1, 4 Mi 47.6 (the former default).
    public static let defaultScratchLimit = 1 << 19

    public init(scratchLimit: Int = MMODWorkspace.defaultScratchLimit) {
        self.scratchLimit = scratchLimit
    }

    /// Floats currently held (capacity of all buffers): the workspace's memory is 4 bytes per float. For a
    /// tiled tensor of T pixels: 3·T (input, later layers 1/3/5) + 4·T (layer 0's 16 channels at 1/4) +
    /// the scratch (bounded, ~3 MiB for photos; it grows with the image's width only), i.e.
    /// 28 bytes per tensor pixel; T is about 4× the image's pixels.
    public var capacity: Int { input.capacity + activation.capacity + scratch.capacity }
}
