import ArgumentParser
import Foundation
import NetTraining

/// `pairmatch bench train`: training-step throughput of the Conv-4 encoder (batch 128, semi-hard triplets, Adam)
/// on 1 and 2 threads, with the naive reference engine as the same-run baseline.
struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Time one training step of Conv-4 (28×28, batch 128, triplet loss, Adam): images/s, peak RSS."
    )

    @Option(help: ArgumentHelp("Seconds per thread count.", valueName: "s")) var seconds = 5.0
    @Option(name: .customLong("threads"), parsing: .upToNextOption, help: ArgumentHelp("Thread counts.", valueName: "n")) var threads: [Int] = [1, 2]
    @Flag(name: .customLong("no-naive"), help: "Skip the (slow) naive baseline.") var noNaive = false
    @Flag(help: "One JSON object per line and configuration.") var json = false

    func validate() throws {
        guard seconds > 0, seconds.isFinite else { throw ValidationError("--seconds must be a positive number") }
        guard !threads.isEmpty, threads.allSatisfy({ $0 >= 1 && $0 <= 64 }) else { throw ValidationError("--threads takes counts from 1 to 64") }
    }

    func run() throws {
        let results = try TrainBenchmark.run(threads: threads, seconds: seconds, naive: !noNaive)
        if json {
            for r in results { print(r.json) }
            return
        }
        print(String(format: "Conv-4 training step: %.1f MFLOP per image forward, batch 128", try TrainBenchmark.conv4Spec().forwardFLOPs() / 1e6))
        for r in results { print(r.line) }
        if let naive = results.first(where: { $0.path == "naive" }) {
            for r in results where r.path == "engine" {
                print(String(format: "engine on %d thread(s) vs naive: %.1f×", r.threads, r.imagesPerSecond / naive.imagesPerSecond))
            }
        }
    }
}
