import FaceEmbedding
import Foundation

/// Seeded SplitMix64 with uniform and normal draws, for reproducible synthetic pairs.
struct TestRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        (-2 * log(1 - uniform())).squareRoot() * cos(2 * .pi * uniform())
    }
}

/// Synthetic labelled pairs.
enum TestData {
    /// Pairs from a known logistic model: x_k ~ U(0, 1), P(same | x) = σ(w·x + b), D = `w.count` components per pair.
    /// Returns features `[n]` (each `[D]`) and labels `[n]`.
    static func logistic(weights w: [Double], bias b: Double, count n: Int, seed: UInt64) -> ([PairFeatures], [Bool]) {
        var rng = TestRandom(seed: seed)
        var xs: [PairFeatures] = [], ys: [Bool] = []
        xs.reserveCapacity(n)
        ys.reserveCapacity(n)
        for _ in 0..<n {
            var v = [Float](repeating: 0, count: w.count)   // [D]
            var z = b
            for k in 0..<w.count {
                v[k] = Float(rng.uniform())
                z += w[k] * Double(v[k])
            }
            xs.append(PairFeatures(kind: .absoluteDifference, values: v))
            ys.append(rng.uniform() < 1 / (1 + exp(-z)))
        }
        return (xs, ys)
    }

    /// Class-conditional Gaussians N(μ_c, σ²I) `[D]` (D = the means' length): the log-likelihood ratio is exactly linear with
    /// w = (μ₁ − μ₀)/σ², b₅₀ = (‖μ₀‖² − ‖μ₁‖²)/(2σ²). Positives first, then negatives.
    static func gaussian(positiveMean: [Double], negativeMean: [Double], sigma: Double,
                         positives: Int, negatives: Int, seed: UInt64) -> ([PairFeatures], [Bool]) {
        var rng = TestRandom(seed: seed)
        var xs: [PairFeatures] = [], ys: [Bool] = []
        for i in 0..<(positives + negatives) {
            let same = i < positives
            let mean = same ? positiveMean : negativeMean
            let v = (0..<mean.count).map { Float(mean[$0] + sigma * rng.normal()) }
            xs.append(PairFeatures(kind: .absoluteDifference, values: v))
            ys.append(same)
        }
        return (xs, ys)
    }

    /// A small, overlapping, balanced problem (`n` pairs of `dimension` ≥ 8 components) for quick tests.
    static func small(count n: Int = 400, seed: UInt64 = 1, dimension: Int = Embedding.faceDimension) -> ([PairFeatures], [Bool]) {
        var w = [Double](repeating: 0, count: dimension)
        for k in 0..<8 { w[k] = k % 2 == 0 ? 3 : -3 }
        return logistic(weights: w, bias: 0, count: n, seed: seed)
    }
}
