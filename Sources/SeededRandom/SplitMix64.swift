/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast, seedable generator with a fixed, documented output
/// sequence, so that everything pairmatch draws at random (k-fold assignment, chip jitter, synthetic galleries)
/// is reproducible from a seed and independent of the standard library's algorithms. Not cryptographic.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The whole generator state: `SplitMix64(seed: g.state)` continues `g`'s sequence exactly (checkpoints).
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in 0..<bound (bound ≥ 1) by rejection.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound >= 1, "SplitMix64.below: bound must be ≥ 1")
        let b = UInt64(bound)
        let limit = UInt64.max - UInt64.max % b
        while true {
            let x = next()
            if x < limit { return Int(x % b) }
        }
    }

    /// A double uniform in [lo, hi) (53 random bits).
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * Double(next() >> 11) / Double(1 << 53)
    }

    /// A float uniform in [−1, 1) (24 random bits).
    public mutating func symmetricUnit() -> Float {
        Float(next() >> 40) * (2 / Float(1 << 24)) - 1
    }
}
