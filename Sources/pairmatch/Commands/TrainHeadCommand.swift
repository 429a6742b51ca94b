import ArgumentParser
import FaceAnalysis
import FaceEmbedding
import Foundation
import Workflows
import LogisticHead
import PairMetrics
import PairsInput

/// `pairmatch train-head PAIRS -o head.h5`: fit the logistic head on labelled pairs.
struct TrainHeadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-head",
        abstract: "Train the logistic head ŷ = σ(w·|f(a) − f(b)| + b) on labelled pairs.",
        discussion: "PAIRS is a CSV (a,b,label; header optional) or an LFW pairs file. Prints a summary table; the head records the encoder's fingerprint and is refused with another encoder."
    )

    @OptionGroup var pairsOptions: PairsOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the head.", valueName: "head.h5"))
    var output: String

    @Flag(name: .customLong("extra-pairs"), help: "Also train on every same-person pair and as many different-person pairs formed from the training images' identities (folder names).")
    var extraPairs = false

    @Option(help: ArgumentHelp("L2 strength λ (default: chosen by cross-validation).", valueName: "λ"))
    var lambda: Double?

    @Option(help: ArgumentHelp("Folds for choosing λ and the held-out metrics.", valueName: "k"))
    var folds = 5

    @Option(name: .customLong("feature"), help: ArgumentHelp("Pair feature: abs (|f(a) − f(b)|) or sq ((f(a) − f(b))²).", valueName: "kind"))
    var featureKind: String = PairFeatureKind.absoluteDifference.rawValue

    @Option(help: ArgumentHelp("Also report the new head on this labelled pairs file (e.g. a held-back set).", valueName: "pairs"))
    var check: String?

    @OptionGroup var cacheOptions: CacheOptions
    @OptionGroup var face: FaceOptions
    @OptionGroup var encoderOptions: EncoderOptions
    @OptionGroup var models: ModelOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        guard PairFeatureKind(rawValue: featureKind) != nil else { throw ValidationError("--feature must be abs or sq") }
        if let lambda, !(lambda > 0) { throw ValidationError("--lambda must be positive") }
        if folds < 0 { throw ValidationError("--folds must not be negative") }
    }

    func run() throws {
        let explicitInputs = [pairsOptions.pairs, check, encoderOptions.file] + models.inputPaths(head: false)
        try OutputSafety.check(files: [output, cacheOptions.cache], inputs: explicitInputs)
        let list = try pairsOptions.read(maxBytes: face.maxBytes)
        let checkList = try check.map { try pairsOptions.read($0, maxBytes: face.maxBytes) }
        let images = (list.distinctImages + (checkList?.distinctImages ?? [])).map(\.path)
        try OutputSafety.check(files: [output, cacheOptions.cache], inputs: explicitInputs + images)
        let analyzer = try models.analyzer(face, encoder: encoderOptions)
        let encoder = analyzer.encoder!
        let choice = face.choice(lfw: list.format == .lfw)
        let cache = try cacheOptions.open(encoderFingerprint: analyzer.encoder!.fingerprint,
                                           dimension: analyzer.encoder!.embeddingDimension, face: face, choice: choice)
        defer { CacheOptions.save(cache) }
        let batch = BatchEmbedder(analyzer: analyzer, options: face.analysis(), threads: runtime.resolvedThreads, cache: cache, choice: choice)
        let kind = PairFeatureKind(rawValue: featureKind)!

        let data = PairEmbeddings.compute(list, batch: batch, progress: ProgressBar.callback(label: "embedding"))
        var training = data.pairs
        let extra = extraPairs ? data.extraPairs() : []
        training += extra
        var trainer = HeadTrainer(lambda: lambda, folds: folds)
        if lambda == nil && folds < 2 { trainer.lambda = HeadTrainer.defaultLambda }
        let head: LogisticHead
        do {
            head = try trainer.fit(features: training.map { PairFeatures($0.a, $0.b, kind: kind) }, labels: training.map(\.label),
                                   encoderFingerprint: encoder.fingerprint)
            try head.save(to: URL(fileURLWithPath: output))
        } catch {
            throw CommandFailure.badInput(error)
        }

        var table = SummaryTable()
        table.row("pairs in file", "\(list.rows.count)")
        table.row("pairs used", "\(data.pairs.count)" + (extraPairs ? " + \(extra.count) extra (\(extra.filter(\.label).count) same, \(extra.filter { !$0.label }.count) different)" : ""))
        for reason in data.skipped.keys.sorted() { table.row("skipped: \(reason)", "\(data.skipped[reason]!)") }
        if let s = head.training {
            table.row("λ", String(format: "%.0e%@", s.lambda, s.lambdaCrossValidated ? " (cross-validated)" : ""))
            table.row("Newton iterations", "\(s.iterations)")
            if let m = s.heldOut {
                table.row("CV accuracy (\(m.folds) folds)", Self.percent(m.accuracy))
                table.row("CV AUC", m.areaUnderCurve.description)
                table.row("CV EER", Self.percent(m.equalErrorRate))
                table.row("CV Brier", m.brierScore.description)
                table.row("CV ECE", m.expectedCalibrationError.description)
            }
        }
        table.row("threshold", String(format: "%.3f", head.threshold))
        if let checkList {
            let held = PairEmbeddings.compute(checkList, batch: batch, progress: ProgressBar.callback(label: "checking"))
            let report = HeadReport(head: head, pairs: held.pairs)
            table.row("check pairs", "\(held.pairs.count) of \(checkList.rows.count)")
            for (k, v) in report.lines { table.row("check \(k)", v) }
        }
        table.row("written", output)
        print(table.text)
    }

    static func percent(_ m: MeanStd) -> String { String(format: "%.2f%% ± %.2f", 100 * m.mean, 100 * m.std) }
}

/// A two-column text table.
struct SummaryTable {
    private var rows: [(String, String)] = []
    mutating func row(_ k: String, _ v: String) { rows.append((k, v)) }
    var text: String {
        let w = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0 + String(repeating: " ", count: w - $0.0.count) + "  " + $0.1 }.joined(separator: "\n")
    }
}

/// The figures of a head on labelled pairs: accuracy at its threshold, AUC, EER, TAR@FAR, Brier, ECE.
struct HeadReport {
    let lines: [(String, String)]
    let probabilities: [Float]
    let labels: [Bool]

    init(head: LogisticHead, pairs: [(a: Embedding, b: Embedding, label: Bool)]) {
        probabilities = pairs.map { head.probability(PairFeatures($0.a, $0.b, kind: head.featureKind)) }
        labels = pairs.map(\.label)
        var l: [(String, String)] = []
        if let s = try? ScoredPairs(scores: probabilities, labels: labels), s.positives > 0, s.negatives > 0 {
            l.append(("accuracy", String(format: "%.2f%% at threshold %.3f", 100 * s.accuracy(threshold: Double(head.threshold)), head.threshold)))
            if let auc = try? s.areaUnderCurve() { l.append(("AUC", String(format: "%.4f", auc))) }
            if let eer = try? s.equalErrorRate() { l.append(("EER", String(format: "%.2f%%", 100 * eer))) }
            for far in [1e-3, 1e-2] {
                if let p = try? s.trueAcceptRate(atFalseAcceptRate: far) { l.append(("TAR@FAR=\(far)", String(format: "%.2f%%", 100 * p.trueAcceptRate))) }
            }
            if let b = try? s.brierScore() { l.append(("Brier", String(format: "%.4f", b))) }
            if let e = try? s.expectedCalibrationError() { l.append(("ECE (10 bins)", String(format: "%.4f", e))) }
        }
        lines = l
    }
}
