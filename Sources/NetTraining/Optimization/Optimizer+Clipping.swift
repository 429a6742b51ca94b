// Global gradient-norm clipping (as `torch.nn.utils.clip_grad_norm_` over all parameters, without its 1e-6).

extension Optimizer {
    /// ‖g‖₂ of `gradients` `[n]`, accumulated in double.
    static func globalNorm(_ gradients: UnsafeMutableBufferPointer<Float>) -> Double {
        var sum = 0.0
        for x in gradients { let d = Double(x); sum += d * d }
        return sum.squareRoot()
    }

    /// Scales `gradients` `[n]` in place by clipNorm/‖g‖₂ when ‖g‖₂ > `maximumNorm` (nil = never) and the norm
    /// is finite; the factor is computed in double and rounded to float. Returns ‖g‖₂ before clipping.
    static func clipGradients(_ gradients: UnsafeMutableBufferPointer<Float>, maximumNorm: Float?) -> Double {
        let norm = globalNorm(gradients)
        if let maximumNorm, norm.isFinite, norm > Double(maximumNorm) {
            let scale = Float(Double(maximumNorm) / norm)
            for i in gradients.indices { gradients[i] *= scale }
        }
        return norm
    }
}
