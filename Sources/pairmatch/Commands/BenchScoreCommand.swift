import ArgumentParser
import FaceAnalysis
import Foundation
import PairsInput

/// `pairmatch bench score PAIRS`: end-to-end images/s of the scoring pipeline (decode, detect, landmarks,
/// chip, embed) on every distinct image of a pairs file, on one thread and on all threads, in the same run.
struct BenchScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Time the whole pipeline on a pairs file's images: one thread against all cores."
    )

    @OptionGroup var pairsOptions: PairsOptions
    @Option(help: ArgumentHelp("Use only the first N distinct images (0: all).", valueName: "n")) var limit = 0
    @OptionGroup var face: FaceOptions
    @OptionGroup var models: ModelOptions
    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let list = try pairsOptions.read(maxBytes: face.maxBytes)
        let analyzer = try models.analyzer(face)
        var urls = list.distinctImages
        if limit > 0 { urls = Array(urls.prefix(limit)) }
        var rates: [Int: Double] = [:]
        for threads in Set([1, runtime.resolvedThreads]).sorted() {
            let batch = BatchEmbedder(analyzer: analyzer, options: face.analysis(), threads: threads, choice: face.choice(lfw: list.format == .lfw))
            let t0 = Date()
            let outcomes = batch.run(urls)
            let seconds = Date().timeIntervalSince(t0)
            rates[threads] = Double(urls.count) / seconds
            let failed = outcomes.filter { if case .failure = $0 { return true } else { return false } }.count
            print(String(format: "%d thread%@: %d images in %.1f s, %.1f images/s (%d without a usable face)",
                         threads, threads == 1 ? "" : "s", urls.count, seconds, rates[threads]!, failed))
        }
        if let one = rates[1], let all = rates[runtime.resolvedThreads], runtime.resolvedThreads > 1 {
            print(String(format: "speed-up from %d threads: %.2f×", runtime.resolvedThreads, all / one))
        }
    }
}
