import LayerGraph
import NetTraining
import SeededRandom
import XCTest

/// Central finite differences against the engine's backward pass.
///
/// The loss is L = Σ r·y for a fixed random r `[batch, outputCount]`, accumulated in Double; each checked value v
/// is moved to v ± h and the difference (L₊ − L₋)/2h (in Double) is compared with the analytic gradient:
/// |analytic − numeric| ≤ atol + rtol·max(|analytic|, |numeric|), NaN failing. The forward passes are float32,
/// so h is large enough (1e-2) to keep float rounding below the tolerance.
struct GradientCheck {
    var batch = 3
    var h: Float = 1e-2
    var atol = 2e-3
    var rtol = 2e-2
    var mode: TrainingMode = .training
    /// Checks at most this many parameter values and input values (spread evenly).
    var maxChecks = 400

    func randomValues(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var g = SplitMix64(seed: seed)
        return (0..<count).map { _ in g.symmetricUnit() * scale }
    }

    /// Returns the number of values checked; fails the test for any mismatch.
    @discardableResult
    func check(_ spec: NetworkSpec, seed: UInt64 = 1, input: [Float]? = nil, threads: Int = 1,
               file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let net = try TrainingNetwork(spec: spec, seed: seed, threads: threads)
        // Non-trivial γ, β and biases so their gradients are exercised away from the initial values.
        var g = SplitMix64(seed: seed &+ 99)
        for t in net.tensors where t.info.role == .gamma || t.info.role == .beta || t.info.role == .bias {
            for i in 0..<t.info.count { net.parameters[t.offset + i] = (t.info.role == .gamma ? 1 : 0) + 0.3 * g.symmetricUnit() }
        }
        let inCount = spec.input.count
        var x = input ?? randomValues(batch * inCount, seed: seed &+ 1)
        let r = randomValues(batch * net.outputCount, seed: seed &+ 2)
        func loss() -> Double {
            let y = x.withUnsafeBufferPointer { net.forward($0.baseAddress!, count: batch, mode: mode) }
            var s: Double = 0
            for i in 0..<r.count { s += Double(r[i]) * Double(y[i]) }
            return s
        }
        _ = loss()
        var dx = [Float](repeating: .nan, count: x.count)
        r.withUnsafeBufferPointer { rb in dx.withUnsafeMutableBufferPointer { net.backward(outputGradient: rb.baseAddress!, inputGradient: $0.baseAddress!) } }
        let analytic = Array(net.gradients)
        var checked = 0
        func compare(_ a: Float, _ n: Double, _ what: String) {
            checked += 1
            let ok = !a.isNaN && !n.isNaN && abs(Double(a) - n) <= atol + rtol * max(abs(Double(a)), abs(n))
            if !ok { XCTFail("\(what): analytic \(a), numeric \(n)", file: file, line: line) }
        }
        let trainable = net.tensors.filter { $0.info.role.isTrainable }
        let indices = trainable.flatMap { t in (0..<t.info.count).map { (t.info.path, t.offset + $0) } }
        let step = max(1, indices.count / maxChecks)
        for k in stride(from: 0, to: indices.count, by: step) {
            let (path, i) = indices[k]
            let v = net.parameters[i]
            net.parameters[i] = v + h; let lp = loss()
            net.parameters[i] = v - h; let lm = loss()
            net.parameters[i] = v
            compare(analytic[i], (lp - lm) / (2 * Double(h)), "\(path)[\(i)]")
        }
        let xStep = max(1, x.count / maxChecks)
        for i in stride(from: 0, to: x.count, by: xStep) {
            let v = x[i]
            x[i] = v + h; let lp = loss()
            x[i] = v - h; let lm = loss()
            x[i] = v
            compare(dx[i], (lp - lm) / (2 * Double(h)), "input[\(i)]")
        }
        return checked
    }
}

extension NetworkSpec {
    /// A `[c, h, w]` input feeding `layers`.
    static func test(_ c: Int, _ h: Int, _ w: Int, _ layers: [LayerSpec]) -> NetworkSpec {
        NetworkSpec(input: InputSpec(width: w, height: h, channels: c), layers: layers)
    }
}
