import COpenBLAS
import Foundation

/// Newton/IRLS for class-weighted, L2-regularised logistic regression (internal to the trainer).
///
/// Objective over the rows R (n = |R|), D features per pair, x̃ = [x; 1] `[D+1]`, θ = [w; b] `[D+1]`:
///
///     J(θ) = (1/n) Σ_{i∈R} c_i · (softplus(θᵀx̃_i) − y_i·θᵀx̃_i) + (λ/2)·Σ_k s_k²·w_k²      (b not penalised)
///
/// with class weights c_i = n / (2·n_{class of i}), so both classes carry half the data term and the optimum's
/// intercept is the one for a 50/50 prior, and `penaltyScale` s_k² (the mean square of feature k; 1 for an
/// all-zero feature), which makes λ dimensionless (the same λ suits |Δf| and (Δf)² features). Each iteration
/// solves the Newton system H·Δ = −g with H = (1/n)·X̃ᵀ·diag(c∘p∘(1−p))·X̃ + λ·diag(s², 0) ((D+1)×(D+1), SPD
/// for λ > 0; 129×129 for the face ResNet's 128-d embeddings) in double precision through
/// LAPACK `dposv`. The gradient and objective are exact in double (rows widened block by block, `cblas_dgemv`);
/// X̃ᵀWX̃ is formed per block of rows in float by `cblas_ssyrk` (half the cost of `dsyrk`, the dominant cost) and
/// the block results are summed in double. The Hessian only steers the step: the fixed point (∇J = 0 in double)
/// is unaffected, and its ~1e-6 relative rounding costs at most one extra iteration.
/// A backtracking (Armijo) line search makes each step decrease J, so separable data converge too.
struct IRLSSolver {
    /// Columns of the design matrix: D features plus the constant 1 of the intercept (D + 1).
    let columns: Int
    /// Rows per block: the block buffer `[blockRows, D+1]` doubles is ~1 MB for D = 128, cache-friendly for dsyrk.
    static let blockRows = 1024
    /// Curvature floor for p(1−p): keeps H well defined when probabilities saturate (separable data).
    /// It changes only the step, never the fixed point (the gradient is exact).
    static let curvatureFloor = 1e-12

    /// `[pairs, D]` row-major float32 features of all pairs.
    let features: [Float]
    /// `[pairs]` labels, true = same person.
    let labels: [Bool]
    /// `[D]` s_k², the penalty weight of w_k (see the objective).
    let penaltyScale: [Double]

    /// Wraps packed features `[pairs, dimension]`; s_k² = mean over all pairs of x_k² (1 where that is 0).
    /// Precondition: dimension ≥ 1 and `features.count == labels.count * dimension`.
    init(features: [Float], labels: [Bool], dimension: Int) {
        precondition(dimension >= 1 && features.count == labels.count * dimension, "IRLSSolver: features are not [pairs, \(dimension)]")
        let f = dimension
        columns = dimension + 1
        var scale = [Double](repeating: 0, count: f)   // [D]
        features.withUnsafeBufferPointer { x in
            for i in 0..<labels.count {
                for k in 0..<f { let v = Double(x[i * f + k]); scale[k] += v * v }
            }
        }
        self.features = features
        self.labels = labels
        self.penaltyScale = scale.map { $0 > 0 ? $0 / Double(labels.count) : 1 }
    }

    struct Result {
        /// `[D+1]` = [w (D); b], b being the 50/50-prior intercept.
        var theta: [Double]
        var iterations: Int
        var objective: Double
    }

    /// Values computed by one sweep over the rows at a given θ.
    private struct Sweep {
        var objective: Double
        var gradient: [Double]   // [D+1]
        var hessian: [Double]    // [(D+1) * (D+1)] symmetric, row-major (== column-major)
    }

    /// Minimises J over `rows` (indices into the pair arrays, both classes present) starting from `start`
    /// (`[D+1]`; when nil: zeros, or for ≥ 32768 rows the solution of a stratified 1/8 subsample). Stops when the applied step satisfies max_k|Δθ_k| ≤ tolerance·(1 + max_k|θ_k|).
    /// Throws `.notConverged` after `maxIterations` Newton steps and `.singularSystem` if `dposv` fails.
    ///
    /// `acceptPredicted`: also stop, without the confirming sweep, once two successive steps show quadratic
    /// convergence (s_k ≤ 1e-2, s_k ≤ s_{k−1}/4) and the predicted next step s_k³/s_{k−1}² (relative) is within
    /// tolerance. Used for fold fits, which only feed held-out metrics.
    func fit(rows: [Int], lambda: Double, start: [Double]?, tolerance: Double, maxIterations: Int,
             acceptPredicted: Bool = false) throws(LogisticHeadError) -> Result {
        var initial = start
        if initial == nil, let sample = Self.stagingSample(rows: rows, labels: labels) {
            // Cold start on many rows: first solve a 1/8 stratified subsample (cheap), then refine on all rows.
            // Only the starting point changes; the result is the full-data optimum to `tolerance`.
            initial = try newton(rows: sample, lambda: lambda, start: nil, tolerance: Self.stagingTolerance,
                                 maxIterations: maxIterations).theta
        }
        return try newton(rows: rows, lambda: lambda, start: initial, tolerance: tolerance, maxIterations: maxIterations,
                          acceptPredicted: acceptPredicted)
    }

    /// Rows from which a cold start first solves a subsample.
    static let stagingMinimumRows = 32_768
    /// Tolerance of the subsample solve (its optimum differs from the full one by sampling noise anyway).
    static let stagingTolerance = 1e-4

    /// Every 8th positive and every 8th negative of `rows` (deterministic, stratified), or nil for few rows.
    static func stagingSample(rows: [Int], labels: [Bool]) -> [Int]? {
        guard rows.count >= stagingMinimumRows else { return nil }
        var sample: [Int] = []
        sample.reserveCapacity(rows.count / 8 + 2)
        var seen = (positive: 0, negative: 0)
        for row in rows {
            if labels[row] {
                if seen.positive % 8 == 0 { sample.append(row) }
                seen.positive += 1
            } else {
                if seen.negative % 8 == 0 { sample.append(row) }
                seen.negative += 1
            }
        }
        return sample
    }

    /// Damped Newton from `start` (zeros when nil) on exactly `rows`.
    private func newton(rows: [Int], lambda: Double, start: [Double]?, tolerance: Double, maxIterations: Int,
                        acceptPredicted: Bool = false) throws(LogisticHeadError) -> Result {
        let d = columns
        var theta = start ?? [Double](repeating: 0, count: d)
        let positives = rows.reduce(0) { $0 + (labels[$1] ? 1 : 0) }
        let n = Double(rows.count)
        let weights = (positive: n / (2 * Double(positives)), negative: n / (2 * (n - Double(positives))))

        var current = sweep(rows: rows, theta: theta, lambda: lambda, classWeights: weights, hessian: true)
        var lastStep = Double.infinity
        var previousRelative = Double.infinity   // the last relative step, for `acceptPredicted`
        for iteration in 1...max(1, maxIterations) {
            // Newton direction: H Δ = −g.
            var h = current.hessian
            var delta = current.gradient.map { -$0 }
            let info = h.withUnsafeMutableBufferPointer { hp in
                delta.withUnsafeMutableBufferPointer { dp in
                    pm_dposv(Int32(d), 1, hp.baseAddress, Int32(d), dp.baseAddress, Int32(d))
                }
            }
            guard info == 0 else { throw .singularSystem(lambda: lambda, iteration: iteration, info: Int(info)) }

            let scale = 1 + (theta.map(abs).max() ?? 0)
            let stepSize = delta.map(abs).max() ?? 0
            let relative = stepSize / scale
            let predicted = relative * relative * relative / (previousRelative * previousRelative)
            if stepSize <= tolerance * scale
                || (acceptPredicted && relative <= 1e-2 && relative <= previousRelative / 4 && predicted <= tolerance) {
                for k in 0..<d { theta[k] += delta[k] }
                return Result(theta: theta, iterations: iteration, objective: current.objective)
            }
            previousRelative = relative

            // Backtracking line search on J (Armijo, with a round-off allowance near the optimum).
            var slope = 0.0
            for k in 0..<d { slope += current.gradient[k] * delta[k] }
            var alpha = 1.0
            var accepted: Sweep? = nil
            while alpha >= 1e-10 {
                let trial = zip(theta, delta).map { $0 + alpha * $1 }
                let candidate = sweep(rows: rows, theta: trial, lambda: lambda, classWeights: weights, hessian: alpha == 1)
                let allowance = 1e-12 * abs(current.objective)
                if candidate.objective <= current.objective + 1e-4 * alpha * slope + allowance {
                    theta = trial
                    accepted = alpha == 1 ? candidate
                        : sweep(rows: rows, theta: trial, lambda: lambda, classWeights: weights, hessian: true)
                    break
                }
                alpha /= 2
            }
            lastStep = alpha * stepSize
            guard let next = accepted else {
                // No decrease possible in double precision: at the optimum if the Newton decrement is negligible.
                if -slope <= 1e-14 * (1 + abs(current.objective)) {
                    return Result(theta: theta, iterations: iteration, objective: current.objective)
                }
                throw .notConverged(lambda: lambda, iterations: iteration, lastStep: stepSize)
            }
            current = next
        }
        throw .notConverged(lambda: lambda, iterations: maxIterations, lastStep: lastStep)
    }

    /// J, ∇J and (optionally) the Hessian at θ, in one pass over `rows` in blocks of `blockRows`.
    private func sweep(rows: [Int], theta: [Double], lambda: Double,
                       classWeights: (positive: Double, negative: Double), hessian wantHessian: Bool) -> Sweep {
        let d = columns, f = d - 1
        let n = Double(rows.count)
        var objective = 0.0
        var gradient = [Double](repeating: 0, count: d)                          // [D+1]
        var hessian = [Double](repeating: 0, count: wantHessian ? d * d : 0)     // [D+1, D+1]
        var block = [Double](repeating: 1, count: Self.blockRows * d)           // [blockRows, D+1], last column 1
        var scaled = [Float](repeating: 0, count: wantHessian ? Self.blockRows * d : 0)  // [blockRows, D+1] √(c·p(1−p))·x̃
        var blockHessian = [Float](repeating: 0, count: wantHessian ? d * d : 0)  // [D+1, D+1] lower triangle
        var eta = [Double](repeating: 0, count: Self.blockRows)                 // [blockRows] θᵀx̃
        var residual = [Double](repeating: 0, count: Self.blockRows)            // [blockRows] c(p − y)/n

        features.withUnsafeBufferPointer { x in
        block.withUnsafeMutableBufferPointer { b in
        scaled.withUnsafeMutableBufferPointer { sb in
        blockHessian.withUnsafeMutableBufferPointer { bh in
        eta.withUnsafeMutableBufferPointer { e in
        residual.withUnsafeMutableBufferPointer { r in
        gradient.withUnsafeMutableBufferPointer { g in
        hessian.withUnsafeMutableBufferPointer { hm in
        theta.withUnsafeBufferPointer { t in
            var start = 0
            while start < rows.count {
                let m = min(Self.blockRows, rows.count - start)
                // Gather and widen the block's feature rows; column D stays 1.
                for i in 0..<m {
                    let src = x.baseAddress! + rows[start + i] * f
                    let dst = b.baseAddress! + i * d
                    for k in 0..<f { dst[k] = Double(src[k]) }
                }
                cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(d), 1, b.baseAddress, Int32(d),
                            t.baseAddress, 1, 0, e.baseAddress, 1)
                for i in 0..<m {
                    let z = e[i]
                    let y = labels[rows[start + i]]
                    let c = y ? classWeights.positive : classWeights.negative
                    // softplus(z) − y·z, stably
                    let softplus = max(z, 0) + log1p(exp(-abs(z)))
                    objective += c * (softplus - (y ? z : 0))
                    let p = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
                    r[i] = c * (p - (y ? 1 : 0)) / n
                    e[i] = (c * max(p * (1 - p), Self.curvatureFloor)).squareRoot()   // reuse as row scale; 1/n later
                }
                cblas_dgemv(CblasRowMajor, CblasTrans, Int32(m), Int32(d), 1, b.baseAddress, Int32(d),
                            r.baseAddress, 1, 1, g.baseAddress, 1)
                if wantHessian {
                    for i in 0..<m {
                        let s = Float(e[i])
                        let src = x.baseAddress! + rows[start + i] * f
                        let dst = sb.baseAddress! + i * d
                        for k in 0..<f { dst[k] = s * src[k] }
                        dst[f] = s
                    }
                    // Block Hessian S = Bᵀ B in float (lower triangle, row-major), summed into H in double.
                    cblas_ssyrk(CblasRowMajor, CblasLower, CblasTrans, Int32(d), Int32(m), 1, sb.baseAddress, Int32(d),
                                0, bh.baseAddress, Int32(d))
                    for i in 0..<d {
                        for j in 0...i { hm[i * d + j] += Double(bh[i * d + j]) }
                    }
                }
                start += m
            }
        }}}}}}}}}

        objective /= n
        var penalty = 0.0
        for k in 0..<f {
            penalty += penaltyScale[k] * theta[k] * theta[k]
            gradient[k] += lambda * penaltyScale[k] * theta[k]
        }
        objective += lambda / 2 * penalty
        if wantHessian {
            for j in hessian.indices { hessian[j] /= n }
            for k in 0..<f { hessian[k * d + k] += lambda * penaltyScale[k] }
            for i in 0..<d { for j in (i + 1)..<d { hessian[i * d + j] = hessian[j * d + i] } }
        }
        return Sweep(objective: objective, gradient: gradient, hessian: hessian)
    }
}
