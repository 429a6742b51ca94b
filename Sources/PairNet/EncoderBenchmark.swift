import Dispatch
import FaceEmbedding
import Foundation
import NetLayers
#if canImport(Glibc)
import Glibc
#endif

/// Throughput of the encoder on this machine, for `pairmatch bench encoder`: ms per face and achieved
/// GFLOP/s at each batch size and thread count, a naive baseline measured in the same run, and the
/// process's peak resident memory.
public enum EncoderBenchmark {
    /// One configuration's timing.
    public struct Measurement: Sendable, CustomStringConvertible {
        /// "wino+im2col" (the production path: Winograd for the 3×3/1 layers, im2col + GEMM for the rest) or "naive direct".
        public let path: String
        /// Chips per `embed` call.
        public let batchSize: Int
        /// `threads` passed to `embed`.
        public let threads: Int
        /// Faces embedded while timing.
        public let faces: Int
        /// Wall-clock milliseconds per face (the best of the timed rounds).
        public let millisecondsPerFace: Double
        /// FLOP/s achieved, in 10⁹ (0.542 GFLOP per face / time per face).
        public let gflops: Double
        /// Process CPU time (user + system, all threads) per face over all timed rounds, in ms: robust to other
        /// processes competing for the cores (≈ wall time × threads on an idle machine).
        public let cpuMillisecondsPerFace: Double

        public var description: String {
            String(format: "%-13@ batch %3d  threads %d  %8.2f ms/face  %6.1f GFLOP/s  CPU %8.2f ms/face  (%d faces)",
                   path as NSString, batchSize, threads, millisecondsPerFace, gflops, cpuMillisecondsPerFace, faces)
        }
    }

    public struct Report: Sendable, CustomStringConvertible {
        public let measurements: [Measurement]
        /// The naive direct-convolution baseline (batch 1, one thread), if requested.
        public let naive: Measurement?
        /// FLOP per face (2 × multiply-adds).
        public let flopsPerFace: Double
        /// Peak resident set size of the process so far (getrusage), in MiB.
        public let peakResidentMegabytes: Double

        public var description: String {
            var lines = [String(format: "encoder: %.4f GFLOP per face", flopsPerFace / 1e9)]
            lines += measurements.map(\.description)
            if let naive {
                lines.append(naive.description)
                if let best = measurements.min(by: { $0.millisecondsPerFace < $1.millisecondsPerFace }) {
                    lines.append(String(format: "speed-up of the best configuration over naive: %.0f×",
                                        naive.millisecondsPerFace / best.millisecondsPerFace))
                }
            }
            lines.append(String(format: "peak RSS: %.1f MiB", peakResidentMegabytes))
            return lines.joined(separator: "\n")
        }
    }

    /// Times `encoder.embed` on synthetic chips (content does not affect speed).
    /// - Parameters:
    ///   - batchSizes: chips per call, e.g. [1, 16].
    ///   - threads: thread budgets, e.g. [1, 2].
    ///   - naiveBaseline: also time the naive direct path (batch 1, one thread, a single face: slow).
    ///   - secondsPerConfiguration: timed rounds continue until this much wall time (after one warm-up call).
    public static func run(encoder: Encoder, batchSizes: [Int] = [1, 16], threads: [Int] = [1, 2],
                           naiveBaseline: Bool = true, secondsPerConfiguration: Double = 2) -> Report {
        let chips = syntheticChips(max(1, batchSizes.max() ?? 1))
        var results: [Measurement] = []
        for t in threads {
            for b in batchSizes {
                results.append(measure(encoder, Array(chips.prefix(b)), threads: t, algorithm: .gemm,
                                       seconds: secondsPerConfiguration, path: "wino+im2col"))
            }
        }
        let naive = naiveBaseline
            ? measure(encoder, [chips[0]], threads: 1, algorithm: .naive, seconds: 0, path: "naive direct") : nil
        return Report(measurements: results, naive: naive, flopsPerFace: encoder.flopsPerFace,
                      peakResidentMegabytes: peakResidentMegabytes())
    }

    private static func measure(_ encoder: Encoder, _ chips: [FaceChip], threads: Int, algorithm: EncoderAlgorithm,
                                seconds: Double, path: String) -> Measurement {
        if algorithm == .gemm { _ = encoder.embed(chips, threads: threads, algorithm: algorithm) }   // warm-up: scratch, BLAS buffers
        var best = Double.infinity, faces = 0
        let start = DispatchTime.now().uptimeNanoseconds, cpuStart = processCPUSeconds()
        repeat {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = encoder.embed(chips, threads: threads, algorithm: algorithm)
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            best = min(best, elapsed / Double(chips.count))
            faces += chips.count
        } while Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < seconds
        let cpu = (processCPUSeconds() - cpuStart) / Double(faces)
        return Measurement(path: path, batchSize: chips.count, threads: threads, faces: faces,
                           millisecondsPerFace: best * 1e3, gflops: encoder.flopsPerFace / best / 1e9,
                           cpuMillisecondsPerFace: cpu * 1e3)
    }

    /// Deterministic pseudo-random chips.
    static func syntheticChips(_ count: Int) -> [FaceChip] {
        var state: UInt32 = 0x9E37_79B9
        return (0..<count).map { _ in
            let pixels = (0..<FaceChip.byteCount).map { _ -> UInt8 in
                state = state &* 1_664_525 &+ 1_013_904_223
                return UInt8(truncatingIfNeeded: state >> 24)
            }
            return try! FaceChip(pixels: pixels)
        }
    }

    /// User + system CPU seconds of the whole process so far.
    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// getrusage's ru_maxrss (KiB on Linux, bytes on macOS) in MiB.
    public static func peakResidentMegabytes() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
        #else
        getrusage(RUSAGE_SELF, &usage)
        return Double(usage.ru_maxrss) / (1024 * 1024)
        #endif
    }
}
