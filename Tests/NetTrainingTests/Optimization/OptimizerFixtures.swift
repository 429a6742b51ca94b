import Foundation
import NetTraining
import SeededRandom

/// Shared problems and helpers of the optimiser tests (namespaced to stay clear of other NetTraining tests).
enum OptimizerFixtures {
    /// Seeded normal and uniform draws on SplitMix64 (reproducible across platforms).
    struct Draws {
        var generator: SplitMix64
        init(seed: UInt64) { generator = SplitMix64(seed: seed) }
        /// Uniform in [lo, hi).
        mutating func uniform(_ lo: Double, _ hi: Double) -> Double { generator.uniform(lo, hi) }
        /// Standard normal (Box–Muller).
        mutating func normal() -> Double {
            (-2 * log(1 - generator.uniform(0, 1))).squareRoot() * cos(2 * .pi * generator.uniform(0, 1))
        }
    }

    /// Solves the SPD system M·x = r in double by Cholesky; `matrix` `[n, n]` row-major, `rhs` `[n]`. Nil if not SPD.
    static func solveSPD(_ matrix: [Double], _ rhs: [Double]) -> [Double]? {
        let n = rhs.count
        var l = [Double](repeating: 0, count: n * n)   // [n, n] lower triangle
        for i in 0..<n {
            for j in 0...i {
                var s = matrix[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard s > 0 else { return nil }
                    l[i * n + i] = s.squareRoot()
                } else {
                    l[i * n + j] = s / l[j * n + j]
                }
            }
        }
        var y = rhs                                      // forward: L y = r
        for i in 0..<n {
            for k in 0..<i { y[i] -= l[i * n + k] * y[k] }
            y[i] /= l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {   // backward: Lᵀ x = y
            for k in (i + 1)..<n { y[i] -= l[k * n + i] * y[k] }
            y[i] /= l[i * n + i]
        }
        return y
    }

    /// Runs `steps` updates of `optimizer` from `start` `[parameterCount]`, the gradient `[parameterCount]` coming from
    /// `gradient(θ, &g)`. Returns the final parameters.
    static func minimise(_ optimizer: Optimizer, from start: [Float], steps: Int, segments: [ParameterSegment] = [],
                         gradient: (UnsafeBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) -> Void) -> [Float] {
        var theta = start
        var g = [Float](repeating: 0, count: start.count)
        theta.withUnsafeMutableBufferPointer { t in
            g.withUnsafeMutableBufferPointer { gb in
                for _ in 0..<steps {
                    gradient(UnsafeBufferPointer(t), gb)
                    optimizer.update(parameters: t, gradients: gb, segments: segments)
                }
            }
        }
        return theta
    }

    /// f(x) = (1/2m)·‖A·x − b‖² for a random A `[m, n]` (entries N(0, 1)) and b `[m]`, with its minimiser
    /// x* = (AᵀA)⁻¹Aᵀb solved in double.
    struct LeastSquares {
        let rows: Int, columns: Int
        /// `[rows, columns]` row-major.
        let a: [Double]
        /// `[rows]`.
        let b: [Double]
        /// `[columns]` the closed-form minimiser.
        let solution: [Double]

        init(rows: Int, columns: Int, seed: UInt64) {
            var draws = Draws(seed: seed)
            self.rows = rows
            self.columns = columns
            a = (0..<(rows * columns)).map { _ in draws.normal() }
            b = (0..<rows).map { _ in 3 * draws.normal() }
            var normal = [Double](repeating: 0, count: columns * columns)   // [n, n] AᵀA
            var atb = [Double](repeating: 0, count: columns)                // [n] Aᵀb
            for r in 0..<rows {
                for i in 0..<columns {
                    atb[i] += a[r * columns + i] * b[r]
                    for j in 0..<columns { normal[i * columns + j] += a[r * columns + i] * a[r * columns + j] }
                }
            }
            solution = OptimizerFixtures.solveSPD(normal, atb)!
        }

        /// ∇f(x) = (1/m)·Aᵀ(A·x − b) in double, rounded into `g` `[columns]`.
        func gradient(_ x: UnsafeBufferPointer<Float>, _ g: UnsafeMutableBufferPointer<Float>) {
            var acc = [Double](repeating: 0, count: columns)
            for r in 0..<rows {
                var residual = -b[r]
                for i in 0..<columns { residual += a[r * columns + i] * Double(x[i]) }
                for i in 0..<columns { acc[i] += a[r * columns + i] * residual }
            }
            for i in 0..<columns { g[i] = Float(acc[i] / Double(rows)) }
        }
    }
}

extension OptimizerFixtures {
    /// `LogisticHead`'s training objective (see `HeadTrainer`/`IRLSSolver`), n pairs of d = 128 features:
    ///
    ///     J(w, b) = (1/n) Σ_i c_i·(softplus(z_i) − y_i·z_i) + (λ/2)·Σ_k s_k²·w_k²,   z_i = wᵀx_i + b,
    ///
    /// c_i = n / (2·n_{class of i}), s_k² = mean_i x_ik² (1 if 0), b not penalised. The optimisers work on the
    /// standardised parameters θ = [u; b] `[129]` with u_k = s_k·w_k, in which the penalty is the plain
    /// (λ/2)·‖u‖², i.e. weight decay λ on the segment u and none on b; J is unchanged.
    struct Logistic {
        static let dimension = 128
        /// `[n, 128]` row-major float features (as `PairFeatures.values`).
        let features: [Float]
        /// `[n]` true = same person.
        let labels: [Bool]
        let lambda: Double
        /// `[128]` s_k (square roots of the penalty scales).
        let scale: [Double]
        /// Class weights (positive, negative).
        let classWeights: (positive: Double, negative: Double)
        var count: Int { labels.count }

        /// Synthetic pairs: x_ik = σ_k·N(0, 1) with σ_k spread over [0.2, 2] (so the standardisation matters),
        /// labels drawn from σ(Σ_k β_k·x_ik/σ_k + 1), β_k ~ N(0, 0.3²): overlapping classes, unbalanced.
        init(count n: Int, lambda: Double, seed: UInt64) {
            let d = Self.dimension
            var draws = Draws(seed: seed)
            let sigma = (0..<d).map { 0.2 + 1.8 * Double($0) / Double(d - 1) }
            let beta = (0..<d).map { _ in 0.3 * draws.normal() }
            var x = [Float](repeating: 0, count: n * d)
            var y = [Bool](repeating: false, count: n)
            for i in 0..<n {
                var z = 1.0
                for k in 0..<d {
                    x[i * d + k] = Float(sigma[k] * draws.normal())
                    z += beta[k] * Double(x[i * d + k]) / sigma[k]
                }
                y[i] = draws.uniform(0, 1) < 1 / (1 + exp(-z))
            }
            self.init(features: x, labels: y, lambda: lambda)
        }

        init(features: [Float], labels: [Bool], lambda: Double) {
            let d = Self.dimension, n = labels.count
            var s2 = [Double](repeating: 0, count: d)
            for i in 0..<n { for k in 0..<d { let v = Double(features[i * d + k]); s2[k] += v * v } }
            self.features = features
            self.labels = labels
            self.lambda = lambda
            self.scale = s2.map { ($0 > 0 ? $0 / Double(n) : 1).squareRoot() }
            let positives = Double(labels.filter { $0 }.count)
            classWeights = (Double(n) / (2 * positives), Double(n) / (2 * (Double(n) - positives)))
        }

        /// Visits each pair with its class weight and logit z = wᵀx + b (in double).
        private func forEachPair(weights w: [Double], bias b: Double,
                                 _ body: (_ row: UnsafePointer<Float>, _ label: Bool, _ c: Double, _ z: Double) -> Void) {
            let d = Self.dimension
            features.withUnsafeBufferPointer { x in
                w.withUnsafeBufferPointer { wp in
                    for i in 0..<count {
                        let row = x.baseAddress! + i * d
                        var z = b
                        for k in 0..<d { z += wp[k] * Double(row[k]) }
                        body(row, labels[i], labels[i] ? classWeights.positive : classWeights.negative, z)
                    }
                }
            }
        }

        /// J at the head parameters w `[128]`, b.
        func objective(weights w: [Double], bias b: Double) -> Double {
            var data = 0.0
            forEachPair(weights: w, bias: b) { _, y, c, z in
                data += c * (max(z, 0) + log1p(exp(-abs(z))) - (y ? z : 0))
            }
            var penalty = 0.0
            for k in 0..<Self.dimension { penalty += scale[k] * scale[k] * w[k] * w[k] }
            return data / Double(count) + lambda / 2 * penalty
        }

        /// Head parameters (w `[128]`, b) of standardised parameters θ = [u; b] `[129]`.
        func headParameters(_ theta: UnsafeBufferPointer<Float>) -> (weights: [Double], bias: Double) {
            ((0..<Self.dimension).map { Double(theta[$0]) / scale[$0] }, Double(theta[Self.dimension]))
        }

        /// ∇_θ J at θ = [u; b] `[129]` into g `[129]`; the penalty term λ·u is included only with `includePenalty`
        /// (otherwise the optimiser's weight decay λ on u supplies it).
        func gradient(_ theta: UnsafeBufferPointer<Float>, _ g: UnsafeMutableBufferPointer<Float>, includePenalty: Bool) {
            let d = Self.dimension
            let (w, b) = headParameters(theta)
            var acc = [Double](repeating: 0, count: d + 1)   // [129] ∂(data term)/∂[w; b]
            acc.withUnsafeMutableBufferPointer { a in
                forEachPair(weights: w, bias: b) { row, y, c, z in
                    let p = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
                    let r = c * (p - (y ? 1 : 0))
                    for k in 0..<d { a[k] += r * Double(row[k]) }
                    a[d] += r
                }
            }
            let n = Double(count)
            for k in 0..<d {
                // ∂/∂u_k = (∂/∂w_k) / s_k; the penalty (λ/2)·u_k² adds λ·u_k.
                g[k] = Float(acc[k] / n / scale[k] + (includePenalty ? lambda * Double(theta[k]) : 0))
            }
            g[d] = Float(acc[d] / n)
        }
    }
}
