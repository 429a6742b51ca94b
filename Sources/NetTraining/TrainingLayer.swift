import LayerGraph
import NetLayers

/// Whether a forward pass trains (batch statistics, running averages updated) or evaluates (running statistics).
public enum TrainingMode: Sendable, Equatable {
    case training, evaluation
}

/// Which arithmetic the convolutions use: the fast im2col + GEMM path, or the direct loops it is tested
/// against (the benchmark's same-run baseline).
public enum ConvolutionPath: Sendable, Equatable {
    case fast, naive
}

/// A layer of the training engine. It reads its parameters from, and writes its gradients into, the
/// network's flat `ParameterStorage` at fixed offsets; it keeps whatever its backward pass needs (argmax
/// indices, batch statistics) between `forward` and `backward` of the same batch.
///
/// Contracts: `forward` writes every element of `y`; `backward` overwrites this layer's parameter gradients
/// (each parameter is used once per pass) and, when `dx` is given, writes every element of `dx`. `x` and `y`
/// passed to `backward` are the ones of the preceding `forward`, unchanged.
protocol TrainingLayer: AnyObject {
    /// Per image.
    var inputShape: ImageShape { get }
    var outputShape: ImageShape { get }
    /// x `[N, Cin, H, W]` → y `[N, Cout, Ho, Wo]`.
    func forward(_ x: FeatureMap, into y: FeatureMap, context: TrainingContext)
    /// dy `[N, Cout, Ho, Wo]` → dx `[N, Cin, H, W]` (skipped when nil) and parameter gradients.
    func backward(x: FeatureMap, y: FeatureMap, dy: FeatureMap, dx: FeatureMap?, context: TrainingContext)
}

/// What every layer of one pass shares: the parameters, the mode, the worker threads and their scratch.
final class TrainingContext {
    let storage: ParameterStorage
    var mode: TrainingMode = .training
    var convolutionPath: ConvolutionPath = .fast
    let chunks: ParallelChunks

    init(storage: ParameterStorage, threads: Int) {
        self.storage = storage
        self.chunks = ParallelChunks(workers: threads)
    }
}

extension ImageShape {
    /// The batched NCHW shape.
    func batch(_ n: Int) -> Shape4 { Shape4(n: n, c: c, h: h, w: w) }
}
