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
    @OptionGroup var models: ModelOptions

    func run() throws {
        let encoder: Encoder
        do { encoder = try Encoder(contentsOf: models.file(.encoder), maxBatch: max(16, batches.max() ?? 16)) } catch let f as CommandFailure { throw f } catch {
            throw CommandFailure.model(error)
        }
        let report = EncoderBenchmark.run(encoder: encoder, batchSizes: batches, threads: threads, naiveBaseline: !noNaive,
                                          secondsPerConfiguration: seconds)
        print(report)
    }
}
