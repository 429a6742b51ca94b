import Dispatch
import Foundation
import LayerGraph
import SeededRandom

/// `pairmatch bench train`: one training step (forward, semi-hard triplet loss, backward, Adam update) of the
/// Conv-4 encoder on 1×28×28 inputs, batches of P×K = 32×4 = 128 images, on each thread count, beside the naive
/// reference engine (direct-loop convolutions, one thread) measured in the same run.
public enum TrainBenchmark {
    public struct Measurement: Sendable {
        /// "engine" or "naive".
        public let path: String
        public let threads: Int
        public let steps: Int
        public let imagesPerSecond: Double
        /// Achieved FLOP/s in 10⁹ (3 × forward FLOPs per image: forward, dX and dW; the first layer's dX is skipped,
        /// so this slightly overstates the work).
        public let gflops: Double
        /// Peak resident memory during this configuration (VmHWM after resetting it, Linux), in bytes.
        public let peakResidentBytes: Int

        public var json: String {
            String(format: "{\"path\":\"%@\",\"threads\":%d,\"batch\":128,\"steps\":%d,\"images_per_second\":%.1f,\"gflops\":%.2f,\"peak_rss_bytes\":%d}",
                   path, threads, steps, imagesPerSecond, gflops, peakResidentBytes)
        }

        public var line: String {
            String(format: "%-6@ threads %d  %8.1f images/s  %6.2f GFLOP/s  peak RSS %6.1f MiB  (%d steps)",
                   path as NSString, threads, imagesPerSecond, gflops, Double(peakResidentBytes) / 1_048_576, steps)
        }
    }

    /// The Conv-4 network the benchmark trains.
    public static func conv4Spec() throws -> NetworkSpec {
        try EncoderArchitecture.conv4.spec(input: InputSpec(width: 28, height: 28, channels: 1), dimension: nil)
    }

    /// Times `seconds` of steps (after one warm-up step) for each thread count, then one naive step if asked.
    public static func run(threads: [Int], seconds: Double, naive: Bool) throws -> [Measurement] {
        var out: [Measurement] = []
        for t in threads { out.append(try measure(path: .fast, threads: t, seconds: seconds)) }
        if naive { out.append(try measure(path: .naive, threads: 1, seconds: 0)) }
        return out
    }

    static func measure(path: ConvolutionPath, threads: Int, seconds: Double) throws -> Measurement {
        resetPeakResident()
        let spec = try conv4Spec()
        let net = try TrainingNetwork(spec: spec, seed: 1, threads: threads)
        net.convolutionPath = path
        let optimizer = Optimizer(config: OptimizerConfig(kind: .adam, learningRate: 1e-3), parameterCount: net.parameters.count)
        let segments = net.trainedSegments
        let batch = 128, p = 32, k = 4
        var g = SplitMix64(seed: 7)
        let input = (0..<(batch * spec.input.count)).map { _ in g.symmetricUnit() }     // [128, 1, 28, 28]
        let labels = (0..<batch).map { $0 / k % p }
        let loss = TripletLoss(margin: 0.2, mining: .semihard)
        let d = net.outputCount
        var grad = [Float](repeating: 0, count: batch * d)                            // [128, 64]
        func step() {
            let e = input.withUnsafeBufferPointer { net.forward($0.baseAddress!, count: batch, mode: .training) }
            _ = grad.withUnsafeMutableBufferPointer { loss.evaluate(embeddings: e, labels: labels, dimension: d, gradient: $0.baseAddress!) }
            grad.withUnsafeBufferPointer { net.backward(outputGradient: $0.baseAddress!) }
            optimizer.update(parameters: net.parameters, gradients: net.gradients, segments: segments)
        }
        step()
        var steps = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        repeat {
            step()
            steps += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < seconds
        let rate = Double(steps * batch) / elapsed
        let flops = try spec.forwardFLOPs() * 3
        return Measurement(path: path == .fast ? "engine" : "naive", threads: threads, steps: steps, imagesPerSecond: rate,
                           gflops: rate * flops / 1e9, peakResidentBytes: peakResident())
    }

    /// VmHWM of this process in bytes (0 where /proc is absent).
    public static func peakResident() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return kb * 1024
        }
        return 0
    }

    /// Resets VmHWM to the current RSS (`echo 5 > /proc/self/clear_refs`), so each configuration reports its own peak.
    static func resetPeakResident() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }
}
