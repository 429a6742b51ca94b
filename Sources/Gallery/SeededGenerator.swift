/// SplitMix64: a small, fast, seedable generator for synthetic galleries (benchmarks, tests). Not cryptographic.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A float uniform in [−1, 1).
    mutating func symmetricUnit() -> Float {
        Float(next() >> 40) * (2 / Float(1 << 24)) - 1
    }

    /// A random unit-norm `[128]` vector written to `out`: components uniform in [−1, 1), then normalised.
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
