/// The update rule of an `Optimizer`.
public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
    /// Stochastic gradient descent with (optionally Nesterov) momentum, as `torch.optim.SGD`.
    case sgd
    /// Adam (Kingma & Ba) with bias correction and L2 weight decay added to the gradient, as `torch.optim.Adam`.
    case adam
    /// Adam with decoupled weight decay (Loshchilov & Hutter), as `torch.optim.AdamW`.
    case adamw
}

/// Hyper-parameters of an `Optimizer`. All rates are per update step; the values are dimensionless multipliers
/// except `learningRate` (parameter units per gradient unit for SGD, parameter units for Adam) and `clipNorm`
/// (gradient units). Fields a kind does not use are ignored by it (e.g. `beta1` by SGD).
///
/// Codable: `kind` and `learningRate` are required when decoding; every other key may be omitted and then takes
/// the default of `init`. Encoding writes every field (`clipNorm` only when set).
public struct OptimizerConfig: Codable, Equatable, Sendable {
    /// The update rule.
    public var kind: OptimizerKind
    /// Base learning rate lr ≥ 0; the rate of step s is lr · `schedule.factor(atStep: s)`.
    public var learningRate: Float
    /// SGD momentum μ ≥ 0 (default 0.9): velocity v ← μ·v + g (v = g at the first step); 0 = plain SGD.
    public var momentum: Float
    /// SGD only: Nesterov momentum, the step direction is g + μ·v instead of v (default false; needs μ > 0).
    public var nesterov: Bool
    /// Adam/AdamW decay rate of the first-moment average, in [0, 1) (default 0.9).
    public var beta1: Float
    /// Adam/AdamW decay rate of the second-moment average, in [0, 1) (default 0.999).
    public var beta2: Float
    /// Adam/AdamW ε ≥ 0 added to √v̂ in the denominator (default 1e-8), in gradient units.
    public var epsilon: Float
    /// Weight decay wd ≥ 0 (default 0). SGD and Adam: L2 term added to the gradient (g + wd·θ); AdamW: decoupled
    /// (θ −= lr·wd·θ before the Adam step, Loshchilov & Hutter; lr includes the schedule's factor, as PyTorch).
    /// Applied only to segments with `decays == true`.
    public var weightDecay: Float
    /// Global gradient-norm clipping: if ‖g‖₂ > clipNorm, g *= clipNorm/‖g‖₂ (before weight decay), over the
    /// whole gradient vector. nil = off; otherwise a finite number > 0.
    public var clipNorm: Float?
    /// The learning-rate schedule (default `.constant`).
    public var schedule: LearningRateSchedule

    /// A configuration with PyTorch's defaults for everything not given (except SGD's momentum, 0.9 here).
    /// Not validated; see `validate()`.
    public init(kind: OptimizerKind, learningRate: Float, momentum: Float = 0.9, nesterov: Bool = false,
                beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0,
                clipNorm: Float? = nil, schedule: LearningRateSchedule = .constant) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.clipNorm = clipNorm
        self.schedule = schedule
    }

    /// Throws `OptimizerError.invalidConfiguration` naming the first field outside its documented range:
    /// learningRate finite ≥ 0; momentum finite ≥ 0 (> 0 with nesterov, SGD); beta1, beta2 in [0, 1);
    /// epsilon finite ≥ 0; weightDecay finite ≥ 0; clipNorm finite > 0 when set; the schedule's own ranges
    /// (`LearningRateSchedule.validate()`). Fields the kind ignores are still checked.
    public func validate() throws(OptimizerError) {
        func check(_ ok: Bool, _ reason: @autoclosure () -> String) throws(OptimizerError) {
            if !ok { throw .invalidConfiguration(reason()) }
        }
        try check(learningRate.isFinite && learningRate >= 0, "learningRate = \(learningRate) must be a finite number ≥ 0")
        try check(momentum.isFinite && momentum >= 0, "momentum = \(momentum) must be a finite number ≥ 0")
        try check(!(kind == .sgd && nesterov && momentum == 0), "Nesterov momentum needs momentum > 0")
        try check(beta1 >= 0 && beta1 < 1, "beta1 = \(beta1) must lie in [0, 1)")
        try check(beta2 >= 0 && beta2 < 1, "beta2 = \(beta2) must lie in [0, 1)")
        try check(epsilon.isFinite && epsilon >= 0, "epsilon = \(epsilon) must be a finite number ≥ 0")
        try check(weightDecay.isFinite && weightDecay >= 0, "weightDecay = \(weightDecay) must be a finite number ≥ 0")
        if let clipNorm {
            try check(clipNorm.isFinite && clipNorm > 0, "clipNorm = \(clipNorm) must be a finite number > 0")
        }
        try schedule.validate()
    }

    private enum CodingKeys: String, CodingKey {
        case kind, learningRate, momentum, nesterov, beta1, beta2, epsilon, weightDecay, clipNorm, schedule
    }

    /// Decodes `kind` and `learningRate` (required) and the other fields when present (else the `init` defaults).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(kind: try c.decode(OptimizerKind.self, forKey: .kind),
                  learningRate: try c.decode(Float.self, forKey: .learningRate))
        if let x = try c.decodeIfPresent(Float.self, forKey: .momentum) { momentum = x }
        if let x = try c.decodeIfPresent(Bool.self, forKey: .nesterov) { nesterov = x }
        if let x = try c.decodeIfPresent(Float.self, forKey: .beta1) { beta1 = x }
        if let x = try c.decodeIfPresent(Float.self, forKey: .beta2) { beta2 = x }
        if let x = try c.decodeIfPresent(Float.self, forKey: .epsilon) { epsilon = x }
        if let x = try c.decodeIfPresent(Float.self, forKey: .weightDecay) { weightDecay = x }
        clipNorm = try c.decodeIfPresent(Float.self, forKey: .clipNorm)
        if let x = try c.decodeIfPresent(LearningRateSchedule.self, forKey: .schedule) { schedule = x }
    }
}
