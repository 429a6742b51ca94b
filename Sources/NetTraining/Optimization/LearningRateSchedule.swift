import Foundation

/// How the learning rate varies with the step count: a dimensionless multiplier of `OptimizerConfig.learningRate`.
///
/// Steps are 0-based and counted by the optimiser: `factor(atStep: s)` is the multiplier of the update that
/// takes the step count from s to s + 1 (the first update uses `factor(atStep: 0)`). Codable as the standard
/// Swift encoding of an enum with associated values, e.g. `{"cosine":{"warmupSteps":100,"totalSteps":5000,"minimumFactor":0.01}}`.
public enum LearningRateSchedule: Codable, Equatable, Sendable {
    /// Factor 1 at every step.
    case constant
    /// lr · factor^(step / every) (integer division): the rate is multiplied by `factor` every `every` steps.
    /// Valid for every ≥ 1 and finite factor > 0 (see `validate()`).
    case step(every: Int, factor: Float)
    /// Linear warm-up from 0 to lr over warmupSteps, then cosine from lr down to lr·minimumFactor at totalSteps
    /// (held after):
    /// - s < warmupSteps: s / warmupSteps (0 at the first step, as in Hugging Face's `get_cosine_schedule_with_warmup`);
    /// - warmupSteps ≤ s ≤ totalSteps: m + (1 − m)·½·(1 + cos(π·(s − warmupSteps)/(totalSteps − warmupSteps))), m = minimumFactor;
    /// - s > totalSteps: m.
    /// Valid for 0 ≤ warmupSteps < totalSteps and 0 ≤ minimumFactor ≤ 1 (see `validate()`).
    case cosine(warmupSteps: Int, totalSteps: Int, minimumFactor: Float)

    /// The multiplier of the base learning rate at 0-based step `step` (the step about to be taken).
    /// Total: negative steps count as 0, and invalid parameters give a finite answer rather than a trap
    /// (`.step` with every < 1 acts as `.constant`; `.cosine` with totalSteps ≤ warmupSteps holds
    /// minimumFactor after the warm-up). Computed in double, rounded once to float.
    public func factor(atStep step: Int) -> Float {
        let s = max(step, 0)
        switch self {
        case .constant:
            return 1
        case let .step(every, factor):
            guard every >= 1 else { return 1 }
            return Float(pow(Double(factor), Double(s / every)))
        case let .cosine(warmupSteps, totalSteps, minimumFactor):
            let warmup = max(warmupSteps, 0)
            if s < warmup { return Float(Double(s) / Double(warmup)) }
            let m = Double(minimumFactor)
            guard totalSteps > warmup, s < totalSteps else { return minimumFactor }
            let progress = Double(s - warmup) / Double(totalSteps - warmup)   // [0, 1)
            return Float(m + (1 - m) * 0.5 * (1 + cos(Double.pi * progress)))
        }
    }

    /// Throws `OptimizerError.invalidConfiguration` (naming the field) unless the parameters are in the ranges
    /// documented on each case.
    public func validate() throws(OptimizerError) {
        switch self {
        case .constant:
            return
        case let .step(every, factor):
            guard every >= 1 else { throw .invalidConfiguration("step schedule: every = \(every) must be ≥ 1") }
            guard factor.isFinite, factor > 0 else {
                throw .invalidConfiguration("step schedule: factor = \(factor) must be a finite number > 0")
            }
        case let .cosine(warmupSteps, totalSteps, minimumFactor):
            guard warmupSteps >= 0 else {
                throw .invalidConfiguration("cosine schedule: warmupSteps = \(warmupSteps) must be ≥ 0")
            }
            guard totalSteps > warmupSteps else {
                throw .invalidConfiguration("cosine schedule: totalSteps = \(totalSteps) must exceed warmupSteps = \(warmupSteps)")
            }
            guard minimumFactor >= 0, minimumFactor <= 1 else {
                throw .invalidConfiguration("cosine schedule: minimumFactor = \(minimumFactor) must lie in [0, 1]")
            }
        }
    }
}
