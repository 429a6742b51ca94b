import NetLayers

/// A trained network compiled into NetLayers' inference form: each batch norm (running statistics) or affine
/// right after a convolution is folded into it (`Convolution.foldingAffine`), a ReLU right after a convolution,
/// affine or residual add is fused into that layer's output pass, and the rest maps one to one onto NetLayers'
/// layers. Its outputs equal the training engine's evaluation-mode outputs up to float rounding.
///
/// Thread-safe: immutable; every call allocates its own activations.
public final class InferenceNetwork: Sendable {
    public let spec: NetworkSpec
    public let fingerprint: String
    /// Per image.
    public let outputShape: ImageShape
    let ops: [InferenceOp]

    public init(weights: NetworkWeights) throws {
        spec = weights.spec
        fingerprint = try weights.fingerprint()
        outputShape = try weights.spec.outputShape()
        ops = InferenceOp.compile(weights.spec.layers, prefix: "layers", tensors: weights.tensors,
                                  resolved: Dictionary(uniqueKeysWithValues: try weights.spec.resolvedLayers().map { ($0.path, $0) }))
    }

    /// Floats per output image.
    public var outputCount: Int { outputShape.count }

    /// `input` `[count, C, H, W]` (the spec's input shape) → `[count, outputCount]`.
    public func forward(_ input: UnsafePointer<Float>, count: Int) -> [Float] {
        precondition(count > 0, "forward: empty batch")
        let shape = Shape4(n: count, c: spec.input.channels, h: spec.input.height, w: spec.input.width)
        let x = FloatBuffer(capacity: shape.count)
        x.pointer.update(from: input, count: shape.count)
        let arena = InferenceArena()
        let y = InferenceOp.run(ops, FeatureMap(shape: shape, data: x.pointer), arena: arena)
        return y.toArray()
    }

    /// Convenience for an array `[count, C, H, W]`.
    public func forward(_ input: [Float], count: Int) -> [Float] {
        input.withUnsafeBufferPointer { forward($0.baseAddress!, count: count) }
    }
}

/// The buffers of one forward call (kept alive until it returns).
final class InferenceArena {
    private var buffers: [FloatBuffer] = []
    let scratch = FloatBuffer()
    func map(_ shape: Shape4) -> FeatureMap {
        let b = FloatBuffer(capacity: shape.count)
        buffers.append(b)
        return FeatureMap(shape: shape, data: b.pointer)
    }
}

/// One compiled inference step.
indirect enum InferenceOp: Sendable {
    case convolution(Convolution, relu: Bool)
    case affine(ChannelAffine, relu: Bool)
    case relu
    case pool(Pooling)
    case residual(body: [InferenceOp], shortcut: [InferenceOp], relu: Bool)
    case fullyConnected(FullyConnected)
    case flatten
    case l2Normalize

    static func compile(_ layers: [LayerSpec], prefix: String, tensors: [String: [Float]],
                        resolved: [String: ResolvedLayer]) -> [InferenceOp] {
        var ops: [InferenceOp] = []
        var i = 0
        func t(_ path: String, _ role: ParameterRole) -> [Float] { tensors[path + "/" + role.tensorName]! }
        func affineOf(_ spec: LayerSpec, _ path: String) -> ChannelAffine? {
            switch spec {
            case .batchNorm(let b):
                return ChannelAffine(batchNormGamma: t(path, .gamma), beta: t(path, .beta), runningMean: t(path, .runningMean),
                                     runningVariance: t(path, .runningVariance), eps: b.epsilon)
            case .affine: return ChannelAffine(gamma: t(path, .gamma), beta: t(path, .beta))
            default: return nil
            }
        }
        while i < layers.count {
            let path = NetworkSpec.layerPath(prefix, i)
            let r = resolved[path]!
            let next = i + 1 < layers.count ? layers[i + 1] : nil
            switch layers[i] {
            case .convolution(let c):
                var conv = Convolution(outputChannels: c.filters, inputChannels: r.inputShape.c, kernel: (c.kernelHeight, c.kernelWidth),
                                       stride: (c.strideY, c.strideX), padding: (c.paddingY, c.paddingX),
                                       weights: t(path, .weights), bias: c.bias ? t(path, .bias) : nil)
                if let next, let a = affineOf(next, NetworkSpec.layerPath(prefix, i + 1)) {
                    conv = conv.foldingAffine(gamma: a.gamma, beta: a.beta)
                    i += 1
                }
                let relu = i + 1 < layers.count && layers[i + 1] == .relu
                if relu { i += 1 }
                ops.append(.convolution(conv, relu: relu))
            case .batchNorm, .affine:
                let relu = next == .relu
                ops.append(.affine(affineOf(layers[i], path)!, relu: relu))
                if relu { i += 1 }
            case .relu: ops.append(.relu)
            case .maxPool(let p), .avgPool(let p):
                let kind: Pooling.Kind = { if case .maxPool = layers[i] { return .max } else { return .average } }()
                ops.append(.pool(p.isGlobal ? .global(kind)
                                            : Pooling(kind, kernel: (p.kernelHeight, p.kernelWidth), stride: (p.strideY, p.strideX),
                                                      padding: (p.paddingY, p.paddingX))))
            case .residual(let body, let shortcut):
                let relu = next == .relu
                ops.append(.residual(body: compile(body, prefix: path + "/body", tensors: tensors, resolved: resolved),
                                     shortcut: compile(shortcut, prefix: path + "/shortcut", tensors: tensors, resolved: resolved),
                                     relu: relu))
                if relu { i += 1 }
            case .fullyConnected(let o, let bias):
                ops.append(.fullyConnected(FullyConnected(numInputs: r.inputShape.count, numOutputs: o, weights: t(path, .weights),
                                                          bias: bias ? t(path, .bias) : nil)))
            case .flatten: ops.append(.flatten)
            case .l2Normalize: ops.append(.l2Normalize)
            }
            i += 1
        }
        return ops
    }

    static func run(_ ops: [InferenceOp], _ input: FeatureMap, arena: InferenceArena) -> FeatureMap {
        var x = input
        for op in ops {
            switch op {
            case .convolution(let conv, let relu):
                let y = arena.map(conv.outputShape(for: x.shape))
                conv.forward(x, into: y, epilogue: relu ? .relu : .none, scratch: arena.scratch)
                x = y
            case .affine(let a, let relu):
                let y = arena.map(x.shape)
                y.data.update(from: x.data, count: x.shape.count)
                a.apply(to: y, relu: relu)
                x = y
            case .relu:
                let y = arena.map(x.shape)
                y.data.update(from: x.data, count: x.shape.count)
                ReLU.apply(to: y)
                x = y
            case .pool(let p):
                let y = arena.map(p.outputShape(for: x.shape))
                p.forward(x, into: y)
                x = y
            case .residual(let body, let shortcut, let relu):
                let a = run(body, x, arena: arena), b = run(shortcut, x, arena: arena)
                let y = arena.map(ResidualAdd.outputShape(a.shape, b.shape))
                ResidualAdd.forward(a, b, into: y, relu: relu)
                x = y
            case .fullyConnected(let fc):
                let y = arena.map(fc.outputShape(for: x.shape))
                fc.forward(x, into: y)
                x = y
            case .flatten:
                x = FeatureMap(shape: Shape4(n: x.shape.n, c: x.shape.imageCount, h: 1, w: 1), data: x.data)
            case .l2Normalize:
                let y = arena.map(x.shape)
                let d = x.shape.imageCount
                for n in 0..<x.shape.n {
                    let s = x.image(n), o = y.image(n)
                    var ss: Double = 0
                    for i in 0..<d { ss += Double(s[i]) * Double(s[i]) }
                    let inv = 1 / max(Float(ss.squareRoot()), 1e-12)
                    for i in 0..<d { o[i] = s[i] * inv }
                }
                x = y
            }
        }
        return x
    }
}
