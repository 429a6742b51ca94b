import LayerGraph
import NetLayers
import SeededRandom
import WeightStore

/// A network being trained: built from a `NetworkSpec` (topology as data), its parameters in one flat
/// vector (`parameters`, file order), gradients in another of the same layout.
///
/// A step is `forward(…, mode: .training)`, the loss's gradient w.r.t. the output, `backward(outputGradient:)`,
/// then an optimiser update on `parameters` from `gradients`. Work is split into chunks of images chosen from
/// shapes alone and run on `threads` workers (OpenBLAS single-threaded inside), so the weights after N steps
/// are bitwise identical for the same seed and data whatever the thread count.
///
/// Not thread-safe: one caller at a time.
public final class TrainingNetwork {
    public let spec: NetworkSpec
    /// Per image, `[D, 1, 1]` for an encoder.
    public let outputShape: ImageShape
    let storage: ParameterStorage
    let context: TrainingContext
    let root: LayerSequence
    private let inputBuffer = FloatBuffer()
    private var lastBatch = 0
    /// Top-level layers before this index are frozen: they run in evaluation mode (batch norms use their running
    /// statistics) and backward computes nothing for them.
    public var firstTrainedLayer: Int = 0 {
        didSet { precondition(firstTrainedLayer >= 0 && firstTrainedLayer <= spec.layers.count, "firstTrainedLayer out of range") }
    }

    /// Builds the layers and initialises the parameters from `seed`: convolution and fc weights He-uniform
    /// (±√(6/fan-in)), biases and β 0, γ 1, running mean 0 and variance 1.
    /// - Throws: `LayerGraphError.invalidLayer` when a layer does not fit its input.
    public init(spec: NetworkSpec, seed: UInt64, threads: Int = 1) throws {
        self.spec = spec
        let resolved = try spec.resolvedLayers()
        storage = ParameterStorage(parameters: resolved.flatMap(\.parameters))
        context = TrainingContext(storage: storage, threads: threads)
        var byPath: [String: ResolvedLayer] = [:]
        for r in resolved { byPath[r.path] = r }
        root = Self.build(spec.layers, prefix: "layers", input: spec.input.shape, byPath: byPath, storage: storage)
        outputShape = root.outputShape
        initialise(seed: seed)
    }

    /// Worker threads for the next passes (≥ 1).
    public var threads: Int { context.chunks.workers }

    /// Which convolution arithmetic the passes use (`.naive`: the direct-loop reference, for tests and baselines).
    public var convolutionPath: ConvolutionPath {
        get { context.convolutionPath }
        set { context.convolutionPath = newValue }
    }

    /// Floats per output image.
    public var outputCount: Int { outputShape.count }

    /// Every tensor in file order with its offset into `parameters`.
    public var tensors: [(info: ParameterInfo, offset: Int)] { storage.tensors }

    /// All values (trainable parameters and running statistics): `[storage count]`.
    public var parameters: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: storage.values, count: storage.count) }
    /// Gradients of the last backward, same layout as `parameters` (0 for running statistics).
    public var gradients: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: storage.gradients, count: storage.count) }

    /// Trained floats (running statistics excluded), frozen layers included.
    public var trainableParameterCount: Int {
        storage.tensors.filter { $0.info.role.isTrainable }.reduce(0) { $0 + $1.info.count }
    }

    /// The trainable tensors of the layers from `firstTrainedLayer` on, as the optimiser's segments of `parameters`.
    public var trainedSegments: [ParameterSegment] {
        let frozenPrefixes = (0..<firstTrainedLayer).map { NetworkSpec.layerPath("layers", $0) + "/" }
        return storage.tensors.filter { t in
            t.info.role.isTrainable && !frozenPrefixes.contains { t.info.path.hasPrefix($0) }
        }.map { ParameterSegment(offset: $0.offset, count: $0.info.count, decays: $0.info.role.decays) }
    }

    /// Runs the network on `count` images `input` `[count, C, H, W]` (the spec's input shape) and returns a view of
    /// the output `[count, outputCount]`, valid until the next call. `.training` uses batch statistics and updates
    /// the running averages.
    public func forward(_ input: UnsafePointer<Float>, count: Int, mode: TrainingMode) -> UnsafePointer<Float> {
        precondition(count > 0, "forward: empty batch")
        BLASThreads.useSingleThreadedBLAS()
        context.mode = mode
        let x = inputBuffer.map(spec.input.shape.batch(count))
        x.data.update(from: input, count: x.shape.count)
        lastBatch = count
        return UnsafePointer(root.forward(x, context: context, frozenPrefix: firstTrainedLayer).data)
    }

    /// Backpropagates `outputGradient` `[batch, outputCount]` (dLoss/dOutput of the last forward) and overwrites
    /// `gradients` for every trained tensor (the others, frozen ones and running statistics, are 0); with `inputGradient` `[batch, C, H, W]` (and no frozen layers) also
    /// dLoss/dInput. Precondition: a forward pass of the same batch came first.
    public func backward(outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>? = nil) {
        precondition(lastBatch > 0, "backward before forward")
        precondition(inputGradient == nil || firstTrainedLayer == 0, "backward: no input gradient through frozen layers")
        BLASThreads.useSingleThreadedBLAS()
        let dy = FeatureMap(shape: outputShape.batch(lastBatch), data: UnsafeMutablePointer(mutating: outputGradient))
        let dx = inputGradient.map { FeatureMap(shape: spec.input.shape.batch(lastBatch), data: $0) }
        storage.gradients.update(repeating: 0, count: storage.count)     // frozen layers keep 0
        root.backward(dy: dy, dx: dx, context: context, firstTrained: firstTrainedLayer)
    }

    /// The values of the tensor at `path` (`layers/000/weights`), or nil.
    public func tensor(_ path: String) -> [Float]? {
        guard let t = storage.tensors.first(where: { $0.info.path == path }) else { return nil }
        return Array(UnsafeBufferPointer(start: storage.values + t.offset, count: t.info.count))
    }

    private func initialise(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for (info, offset) in storage.tensors {
            let p = storage.values + offset
            switch info.role {
            case .weights:
                // conv [O, I, kh, kw]: fan-in I·kh·kw; fc [I, O]: fan-in I.
                let fanIn = info.shape.count == 4 ? info.shape[1] * info.shape[2] * info.shape[3] : info.shape[0]
                let bound = Float((6.0 / Double(max(1, fanIn))).squareRoot())
                for i in 0..<info.count { p[i] = rng.symmetricUnit() * bound }
            case .bias, .beta, .runningMean: p.update(repeating: 0, count: info.count)
            case .gamma, .runningVariance: p.update(repeating: 1, count: info.count)
            }
        }
    }

    static func build(_ layers: [LayerSpec], prefix: String, input: ImageShape, byPath: [String: ResolvedLayer],
                      storage: ParameterStorage) -> LayerSequence {
        var built: [TrainingLayer] = []
        for (i, spec) in layers.enumerated() {
            let path = NetworkSpec.layerPath(prefix, i)
            let r = byPath[path]!
            switch spec {
            case .convolution(let c): built.append(ConvolutionLayer(spec: c, resolved: r, storage: storage))
            case .batchNorm(let b): built.append(BatchNormLayer(spec: b, resolved: r, storage: storage))
            case .affine: built.append(AffineLayer(resolved: r, storage: storage))
            case .relu: built.append(ReLULayer(shape: r.inputShape))
            case .maxPool(let p): built.append(PoolingLayer(spec: p, isMax: true, resolved: r))
            case .avgPool(let p): built.append(PoolingLayer(spec: p, isMax: false, resolved: r))
            case .residual(let body, let shortcut):
                let b = build(body, prefix: path + "/body", input: r.inputShape, byPath: byPath, storage: storage)
                let s = build(shortcut, prefix: path + "/shortcut", input: r.inputShape, byPath: byPath, storage: storage)
                built.append(ResidualLayer(body: b, shortcut: s, resolved: r))
            case .fullyConnected(let o, let bias): built.append(FullyConnectedLayer(outputs: o, bias: bias, resolved: r, storage: storage))
            case .flatten: built.append(FlattenLayer(shape: r.inputShape))
            case .l2Normalize: built.append(L2NormalizeLayer(shape: r.inputShape))
            }
        }
        return LayerSequence(layers: built, inputShape: input)
    }
}
