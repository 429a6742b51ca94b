import SeededRandom

extension SplitMix64 {
    /// A random unit-norm `[dimension]` vector written to `out`: components uniform in [−1, 1), then normalised.
    mutating func unitVector(into out: UnsafeMutablePointer<Float>, dimension: Int) {
        var s: Float = 0
        for k in 0..<dimension {
            let v = symmetricUnit()
            out[k] = v
            s += v * v
        }
        let scale = 1 / max(s, 1e-12).squareRoot()
        for k in 0..<dimension { out[k] *= scale }
    }
}
