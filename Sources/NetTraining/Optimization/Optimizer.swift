/// A first-order optimiser over one flat `Float` parameter vector: SGD with momentum, Adam or AdamW, with
/// optional global gradient-norm clipping, per-segment weight decay and a learning-rate schedule.
///
/// The update rules are those of PyTorch's `torch.optim.SGD` (dampening 0), `torch.optim.Adam` and
/// `torch.optim.AdamW` (amsgrad off), applied element-wise in float with scalar constants computed in double.
/// One call of `update` is one step; the order within it is
/// 1. ‖g‖₂ over the whole gradient (in double), and clipping to `clipNorm` if set;
/// 2. lr = `currentLearningRate` (the schedule at the current `step`);
/// 3. per element, with wd = `weightDecay` on decaying segments and 0 elsewhere:
///    - SGD:   g ← g + wd·θ;  v ← μ·v + g;  θ ← θ − lr·(nesterov ? g + μ·v : v)      (v starts at 0, so v = g first)
///    - Adam:  g ← g + wd·θ;  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  θ ← θ − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε)
///    - AdamW: θ ← θ·(1 − lr·wd), then the Adam step with g unchanged;
///    t = step + 1 (the bias corrections count the step being taken);
/// 4. `step` += 1.
///
/// Deterministic and single-threaded: the same state, gradients and segments give bit-identical parameters.
/// Not thread-safe (a reference type holding mutable state; use it from one task at a time).
public final class Optimizer {
    /// The hyper-parameters (validated at `init`).
    public let config: OptimizerConfig
    /// Length of the parameter, gradient and state vectors.
    public let parameterCount: Int
    /// Steps taken so far.
    public private(set) var step: Int

    /// `[parameterCount]` SGD's velocity v, or Adam(W)'s first moment m (biased, uncorrected); starts at 0.
    var firstMoment: [Float]
    /// `[parameterCount]` Adam(W)'s second moment v (biased, uncorrected), starts at 0; `[0]` for SGD.
    var secondMoment: [Float]

    /// A fresh optimiser (step 0, all state zero) for a vector of `parameterCount` ≥ 0 parameters.
    /// Precondition: `config.validate()` succeeds (validate user-supplied configurations first).
    public init(config: OptimizerConfig, parameterCount: Int) {
        precondition(parameterCount >= 0, "Optimizer: parameterCount \(parameterCount) must be ≥ 0")
        do { try config.validate() } catch { preconditionFailure(error.description) }
        self.config = config
        self.parameterCount = parameterCount
        self.step = 0
        self.firstMoment = [Float](repeating: 0, count: parameterCount)
        self.secondMoment = [Float](repeating: 0, count: config.kind == .sgd ? 0 : parameterCount)
    }

    /// The learning rate the next update uses: config.learningRate · schedule.factor(atStep: step).
    public var currentLearningRate: Float {
        config.learningRate * config.schedule.factor(atStep: step)
    }

    /// One update of `parameters` [parameterCount] from `gradients` [parameterCount] (gradients may be modified in
    /// place by clipping, and only by it). `segments` cover the vector (any order, non-overlapping); elements outside
    /// every segment are updated without decay. Returns the global gradient norm ‖g‖₂ before clipping (computed in
    /// Double, rounded to Float); a non-finite norm is returned as is and disables clipping for this step (the update
    /// is still applied, so check the result to stop a diverging run).
    /// Preconditions: both buffers have `parameterCount` elements; segments lie within the vector and do not overlap.
    @discardableResult
    public func update(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeMutableBufferPointer<Float>,
                       segments: [ParameterSegment]) -> Float {
        precondition(parameters.count == parameterCount,
                     "Optimizer.update: \(parameters.count) parameters, expected \(parameterCount)")
        precondition(gradients.count == parameterCount,
                     "Optimizer.update: \(gradients.count) gradients, expected \(parameterCount)")
        let runs = ParameterSegment.covering(segments, total: parameterCount)
        let norm = Self.clipGradients(gradients, maximumNorm: config.clipNorm)
        guard parameterCount > 0 else { step += 1; return Float(norm) }

        let lr = currentLearningRate
        let theta = parameters.baseAddress!, grad = UnsafePointer(gradients.baseAddress!)
        switch config.kind {
        case .sgd:
            firstMoment.withUnsafeMutableBufferPointer { velocity in
                for run in runs {
                    Self.sgdStep(theta: theta + run.offset, gradient: grad + run.offset,
                                 velocity: velocity.baseAddress! + run.offset, count: run.count, learningRate: lr,
                                 momentum: config.momentum, decay: run.decays ? config.weightDecay : 0,
                                 nesterov: config.nesterov)
                }
            }
        case .adam, .adamw:
            let constants = AdamConstants(config: config, learningRate: lr, step: step + 1)
            firstMoment.withUnsafeMutableBufferPointer { m in
                secondMoment.withUnsafeMutableBufferPointer { v in
                    for run in runs {
                        Self.adamStep(theta: theta + run.offset, gradient: grad + run.offset,
                                      m: m.baseAddress! + run.offset, v: v.baseAddress! + run.offset, count: run.count,
                                      constants: constants, decays: run.decays)
                    }
                }
            }
        }
        step += 1
        return Float(norm)
    }

    /// Replaces the whole state (for `restore`, which validates it): the step count and the two moment buffers
    /// (`[parameterCount]` each; the second `[0]` for SGD).
    func replaceState(step: Int, firstMoment: [Float], secondMoment: [Float]) {
        self.step = step
        self.firstMoment = firstMoment
        self.secondMoment = secondMoment
    }

    /// Convenience for arrays: `update(parameters:gradients:segments:)` on `parameters` `[parameterCount]` and
    /// `gradients` `[parameterCount]` (clipped in place). Returns the gradient norm before clipping.
    @discardableResult
    public func update(parameters: inout [Float], gradients: inout [Float], segments: [ParameterSegment]) -> Float {
        parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeMutableBufferPointer { g in
                update(parameters: p, gradients: g, segments: segments)
            }
        }
    }
}
