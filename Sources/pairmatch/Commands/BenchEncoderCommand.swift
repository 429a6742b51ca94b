import ArgumentParser
import Foundation
import PairNet

/// `pairmatch bench encoder`: ms per face and GFLOP/s of the ResNet at batch 1 and 16 on 1 and 2 threads,
/// with the naive direct-convolution path as the baseline, and peak RSS.
struct BenchEncoderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encoder",
        abstract: "Time the twin ResNet encoder (ms/face, GFLOP/s, peak RSS) against the naive path."
    )

    @Option(help: ArgumentHelp("Seconds per configuration.", valueName: "s")) var seconds = 3.0
    @Option(name: .customLong("batch"), parsing: .upToNextOption, help: ArgumentHelp("Batch sizes.", valueName: "n")) var batches: [Int] = [1, 16]
    @Option(name: .customLong("threads"), parsing: .upToNextOption, help: ArgumentHelp("Thread counts.", valueName: "n")) var threads: [Int] = [1, 2]
    @Flag(name: .customLong("no-naive"), help: "Skip the (slow) naive baseline.") var noNaive = false
    @Flag(name: .customLong("layers"), help: "Also time every convolution (batch 1 and the largest batch, each thread count) beside a one-thread OpenBLAS sgemm of its im2col product.") var layers = false
    @Flag(name: .customLong("json"), help: "Print one JSON object per line and configuration (batch, threads, ms_per_face, …) instead of the table.") var json = false
    @OptionGroup var models: ModelOptions

    func validate() throws {
        if let bad = batches.first(where: { $0 < 1 || $0 > 256 }) { throw ValidationError("--batch \(bad): give 1 to 256 faces") }
        if let bad = threads.first(where: { $0 < 1 || $0 > 64 }) { throw ValidationError("--threads \(bad): give 1 to 64 threads") }
        guard seconds > 0, seconds.isFinite else { throw ValidationError("--seconds \(seconds): give a positive number") }
    }

    func run() throws {
        let encoder: Encoder
        do { encoder = try Encoder(contentsOf: models.file(.encoder), maxBatch: max(16, batches.max() ?? 16)) } catch let f as CommandFailure { throw f } catch {
            throw CommandFailure.model(error)
        }
        let report = EncoderBenchmark.run(encoder: encoder, batchSizes: batches, threads: threads, naiveBaseline: !noNaive,
                                          secondsPerConfiguration: seconds)
        if json {
            for m in report.measurements {
                print(#"{"path":"\#(m.path)","batch":\#(m.batchSize),"threads":\#(m.threads),"ms_per_face":\#(Self.rounded(m.millisecondsPerFace)),"cpu_ms_per_face":\#(Self.rounded(m.cpuMillisecondsPerFace)),"gflops":\#(Self.rounded(m.gflops)),"faces":\#(m.faces)}"#)
            }
            if let n = report.naive {
                print(#"{"path":"naive direct","batch":1,"threads":1,"ms_per_face":\#(Self.rounded(n.millisecondsPerFace))}"#)
            }
        } else {
            print(report)
        }
        guard layers else { return }
        for batch in Array(Set([1, batches.max() ?? 1])).sorted() {
            for t in threads {
                let timings = EncoderBenchmark.layerTimings(encoder: encoder, batch: batch, threads: t)
                if json {
                    for l in timings {
                        print(#"{"layer":"\#(l.name)","batch":\#(batch),"threads":\#(t),"algorithm":"\#(l.algorithm)","ms":\#(Self.rounded(l.milliseconds)),"sgemm_ms":\#(Self.rounded(l.sgemmMilliseconds))}"#)
                    }
                } else {
                    let total = timings.reduce(0) { $0 + $1.milliseconds }, sgemm = timings.reduce(0) { $0 + $1.sgemmMilliseconds }
                    print("convolutions at batch \(batch), \(t) thread(s): \(String(format: "%.2f", total)) ms in all "
                          + "(\(String(format: "%.2f", total / Double(batch))) ms/face; one-thread sgemm of the im2col products \(String(format: "%.2f", sgemm)) ms)")
                    for l in timings { print("  \(l)") }
                }
            }
        }
    }

    /// `x` to 4 decimals for JSON.
    static func rounded(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }
}
