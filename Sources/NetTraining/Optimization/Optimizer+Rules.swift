import Foundation

// The element-wise update rules (see `Optimizer`'s documentation for the formulas). Each kernel updates one
// contiguous run of `count` elements; the loops are branch-free so the compiler vectorises them.

extension Optimizer {
    /// SGD with momentum on one run. `theta`, `gradient`, `velocity`: `[count]`. `decay` = wd on decaying runs, else 0
    /// (g + 0·θ == g exactly for finite θ, so non-decaying runs are bitwise those of plain SGD).
    static func sgdStep(theta: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>,
                        velocity: UnsafeMutablePointer<Float>, count: Int, learningRate lr: Float,
                        momentum mu: Float, decay: Float, nesterov: Bool) {
        if nesterov {
            for i in 0..<count {
                let g = gradient[i] + decay * theta[i]
                let v = mu * velocity[i] + g
                velocity[i] = v
                theta[i] -= lr * (g + mu * v)
            }
        } else {
            for i in 0..<count {
                let g = gradient[i] + decay * theta[i]
                let v = mu * velocity[i] + g
                velocity[i] = v
                theta[i] -= lr * v
            }
        }
    }

    /// The per-step scalars of Adam/AdamW, computed in double and rounded once.
    struct AdamConstants {
        let beta1: Float, oneMinusBeta1: Float
        let beta2: Float, oneMinusBeta2: Float
        let epsilon: Float
        /// lr / (1 − β₁ᵗ).
        let stepSize: Float
        /// √(1 − β₂ᵗ).
        let secondCorrectionRoot: Float
        /// Adam: wd (L2 added to the gradient); AdamW: 0.
        let coupledDecay: Float
        /// AdamW: 1 − lr·wd (θ's shrink factor); Adam: 1.
        let retain: Float

        /// The constants of step t = `step` ≥ 1 (1-based: the step being taken) at learning rate `learningRate`.
        init(config: OptimizerConfig, learningRate: Float, step t: Int) {
            let b1 = Double(config.beta1), b2 = Double(config.beta2), lr = Double(learningRate)
            let wd = Double(config.weightDecay)
            beta1 = config.beta1
            oneMinusBeta1 = Float(1 - b1)
            beta2 = config.beta2
            oneMinusBeta2 = Float(1 - b2)
            epsilon = config.epsilon
            stepSize = Float(lr / (1 - pow(b1, Double(t))))
            secondCorrectionRoot = Float((1 - pow(b2, Double(t))).squareRoot())
            coupledDecay = config.kind == .adam ? config.weightDecay : 0
            retain = config.kind == .adamw ? Float(1 - lr * wd) : 1
        }
    }

    /// Adam/AdamW on one run. `theta`, `gradient`, `m`, `v`: `[count]`. Weight decay (coupled or decoupled, per
    /// `constants`) only when `decays`.
    static func adamStep(theta: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>,
                         m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int,
                         constants c: AdamConstants, decays: Bool) {
        let retain: Float = decays ? c.retain : 1
        let coupled: Float = decays ? c.coupledDecay : 0
        let (b1, a1, b2, a2) = (c.beta1, c.oneMinusBeta1, c.beta2, c.oneMinusBeta2)
        let (eps, stepSize, root2) = (c.epsilon, c.stepSize, c.secondCorrectionRoot)
        for i in 0..<count {
            let p = theta[i] * retain
            let g = gradient[i] + coupled * p
            let mi = b1 * m[i] + a1 * g
            let vi = b2 * v[i] + a2 * (g * g)
            m[i] = mi
            v[i] = vi
            theta[i] = p - stepSize * (mi / (vi.squareRoot() / root2 + eps))
        }
    }
}
