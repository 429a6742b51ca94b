import NetLayers

/// A seeded SplitMix64 generator so that random-shape tests are reproducible.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// `count` floats uniform in [-1, 1).
    mutating func floats(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -1..<1, using: &self) } }
    mutating func tensor(_ shape: Shape4) -> Tensor4 { Tensor4(shape: shape, values: floats(shape.count)) }
}

/// max |a − b| over two equal-length arrays.
func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "compared arrays differ in length: \(a.count) vs \(b.count)")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
