import ArgumentParser
import FaceAnalysis
import FaceEmbedding
import Foundation
import Workflows
import LogisticHead
import PairMetrics
import PairsInput
import WeightStore

/// `pairmatch eval PAIRS`: the verification protocol's figures on labelled pairs.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate on labelled pairs: the head's accuracy, AUC, EER, TAR@FAR, calibration, and a k-fold protocol.",
        discussion: "The k-fold protocol trains a fresh head on k−1 folds and tests it on the remaining one (mean ± std). --plot draws the ROC curve and the score histograms of same/different pairs (SVG)."
    )

    @OptionGroup var pairsOptions: PairsOptions

    @Option(help: ArgumentHelp("Folds of the train-on-k−1, test-on-1 protocol (0: skip).", valueName: "k"))
    var folds = 10

    @Option(help: ArgumentHelp("Write the ROC curve and score histograms to this SVG file.", valueName: "file.svg"))
    var plot: String?

    @OptionGroup var headOptions: HeadOptions
    @OptionGroup var cacheOptions: CacheOptions
    @OptionGroup var face: FaceOptions
    @OptionGroup var encoderOptions: EncoderOptions
    @OptionGroup var models: ModelOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if folds == 1 || folds < 0 { throw ValidationError("--folds must be 0 or at least 2") }
        if let plot, !plot.lowercased().hasSuffix(".svg") { throw ValidationError("--plot writes SVG: give a .svg file name") }
    }

    func run() throws {
        let explicitInputs = [pairsOptions.pairs, headOptions.head, encoderOptions.file] + models.inputPaths(head: true)
        try OutputSafety.check(files: [plot, cacheOptions.cache], inputs: explicitInputs)
        let list = try pairsOptions.read(maxBytes: face.maxBytes)
        try OutputSafety.check(files: [plot, cacheOptions.cache], inputs: explicitInputs + list.distinctImages.map(\.path))
        let analyzer = try models.analyzer(face, encoder: encoderOptions)
        let head = try models.head(headOptions, encoder: analyzer.encoder!, encoderOptions: encoderOptions)
        let choice = face.choice(lfw: list.format == .lfw)
        let cache = try cacheOptions.open(encoderFingerprint: analyzer.encoder!.fingerprint,
                                           dimension: analyzer.encoder!.embeddingDimension, face: face, choice: choice)
        defer { CacheOptions.save(cache) }
        let batch = BatchEmbedder(analyzer: analyzer, options: face.analysis(), threads: runtime.resolvedThreads, cache: cache, choice: choice)
        let data = PairEmbeddings.compute(list, batch: batch, progress: ProgressBar.callback(label: "embedding"))
        guard data.pairs.contains(where: \.label), data.pairs.contains(where: { !$0.label }) else {
            throw CommandFailure.badInput("\(pairsOptions.pairs): needs labelled pairs of both classes (found \(data.pairs.count) usable)")
        }
        var table = SummaryTable()
        table.row("pairs", "\(data.pairs.count) used of \(list.rows.count)")
        for reason in data.skipped.keys.sorted() { table.row("skipped: \(reason)", "\(data.skipped[reason]!)") }
        let report = HeadReport(head: head, pairs: data.pairs)
        for (k, v) in report.lines { table.row("head \(k)", v) }
        let distances = data.pairs.map { $0.a.distance(to: $0.b) }
        let distanceAccuracy = zip(distances, data.pairs).filter { ($0.0 < 0.6) == $0.1.label }.count
        table.row("distance < 0.6 accuracy", String(format: "%.2f%% (dlib's rule)", 100 * Double(distanceAccuracy) / Double(data.pairs.count)))
        if folds >= 2 {
            let features = data.pairs.map { PairFeatures($0.a, $0.b, kind: head.featureKind) }
            let labels = data.pairs.map(\.label)
            do {
                let kfold = try KFold(labels: labels, folds: folds)
                let trainer = HeadTrainer(lambda: nil, folds: 5)   // λ chosen by an inner 5-fold CV on each training part
                let accuracy = try kfold.evaluate { split in
                    let h = try trainer.fit(features: split.training.map { features[$0] }, labels: split.training.map { labels[$0] },
                                            encoderFingerprint: head.encoderFingerprint)
                    let correct = split.test.filter { (h.probability(features[$0]) >= h.threshold) == labels[$0] }.count
                    return Double(correct) / Double(split.test.count)
                }
                table.row("\(folds)-fold accuracy", TrainHeadCommand.percent(accuracy) + " (a fresh head per fold, λ by inner CV)")
            } catch {
                table.row("\(folds)-fold accuracy", "not computed: \(error)")
            }
        }
        if let plot {
            let svg = EvalPlot.svg(probabilities: report.probabilities, labels: report.labels, threshold: head.threshold)
            do { try AtomicFile.write(Data(svg.utf8), to: URL(fileURLWithPath: plot)) } catch { throw CommandFailure.badInput(error) }
            table.row("plot", plot)
        }
        print(table.text)
    }
}
