import ArgumentParser
import FaceAnalysis
import FaceEmbedding
import Foundation
import LogisticHead
import PairMetrics
import PairsInput
import WeightStore

/// `pairmatch score PAIRS -o OUT.csv`: same-person probability for every pair of a list.
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score a list of pairs (CSV a,b[,label] or an LFW pairs file) into a CSV.",
        discussion: """
        OUT has the input columns plus probability,distance,same,error, one row per input row, in input order. \
        Each distinct image is processed once, on all cores. A bad row (missing file, no face, malformed line) gets \
        its error and the batch goes on (exit 1 at the end). Rows are written as they complete to OUT.partial, \
        renamed to OUT when done; --resume continues an interrupted run, only if the pairs file, the encoder, the head \
        and every option that changes a value are those of the interrupted run (recorded in OUT.partial.fingerprint; \
        otherwise exit 2 naming what changed). OUT is locked for the whole run: a second score writing it waits up to \
        --wait seconds, else exit 2. The summary covers every row of OUT.
        """
    )

    @OptionGroup var pairsOptions: PairsOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("Output CSV.", valueName: "out.csv"))
    var output: String


    @Flag(help: "Continue an interrupted run from OUT.partial (refused when the input or options changed).")
    var resume = false

    @OptionGroup var lockOptions: LockOptions

    @OptionGroup var cacheOptions: CacheOptions

    @OptionGroup var headOptions: HeadOptions
    @OptionGroup var face: FaceOptions
    @OptionGroup var encoderOptions: EncoderOptions
    @OptionGroup var models: ModelOptions
    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let started = Date()
        let explicitInputs = [pairsOptions.pairs, headOptions.head, encoderOptions.file] + models.inputPaths(head: true)
        // `-` is refused: ScoreOutput writes OUT.partial and renames it, it does not stream to standard output.
        let outputs = [output, output + ".partial", cacheOptions.cache]
        try OutputSafety.check(files: outputs, inputs: explicitInputs)
        // One writer per output for the whole run (the partial file, the fingerprint, the rename).
        let lock = try (output == "-" ? nil : lockOptions.lock(URL(fileURLWithPath: output)))
        defer { lock?.release() }
        let list = try pairsOptions.read(maxBytes: face.maxBytes)
        try OutputSafety.check(files: outputs, inputs: explicitInputs + list.distinctImages.map(\.path))
        let analyzer = try models.analyzer(face, encoder: encoderOptions)
        let encoder = analyzer.encoder!
        let head = try models.head(headOptions, encoder: encoder, encoderOptions: encoderOptions)
        let choice = face.choice(lfw: list.format == .lfw)
        let embeddingCache = try cacheOptions.open(encoderFingerprint: encoder.fingerprint, dimension: encoder.embeddingDimension,
                                                       face: face, choice: choice)

        let width = max(list.header?.count ?? 0, list.rows.map(\.fields.count).max() ?? 2)
        let inputHeader = list.header ?? (["a", "b", "label"] + (3..<max(3, width)).map { "column\($0 + 1)" }).prefix(width).map { $0 }
        let header = CSVLine.record(padded(inputHeader, width) + ["probability", "distance", "same", "error"])
        let fingerprint = try ScoreFingerprint.of(pairs: list, imagesRoot: pairsOptions.root, encoder: encoder.fingerprint,
                                                  head: head, face: face, choice: choice.rawValue)
        let out = try ScoreOutput(destination: URL(fileURLWithPath: output), header: header, resume: resume, fingerprint: fingerprint,
                                  inputRows: list.rows.count) { i in
            String(CSVLine.record(padded(list.rows[i].fields, width)).dropLast()) + ","
        }
        let todo = Array(list.rows.dropFirst(out.resumedRows))
        // The summary covers every row of the finished file: the resumed ones as written, then the new ones.
        var tally = ScoreTally()
        for (row, result) in zip(list.rows, out.resumedResults) { tally.add(result, label: row.label) }
        if out.resumedRows > 0 { Console.warn("resuming after \(out.resumedRows) finished rows of \(list.rows.count)") }

        // Distinct images of the remaining rows, in first-appearance order; rows become writable in order.
        var imageIndex: [URL: Int] = [:], urls: [URL] = []
        var rowNeeds: [Int] = []   // per row: images that must be done before it can be written
        for row in todo {
            if row.problem == nil, let a = row.a, let b = row.b {
                for u in [a, b] where imageIndex[u] == nil { imageIndex[u] = urls.count; urls.append(u) }
            }
            rowNeeds.append(urls.count)
        }
        let batch = BatchEmbedder(analyzer: analyzer, options: face.analysis(), threads: runtime.resolvedThreads, cache: embeddingCache, choice: choice)
        let progress = ProgressBar(total: urls.count, label: "scoring")
        var outcomes: [ImageOutcome] = []
        var nextRow = 0
        var writeError: Error?

        func writeReadyRows() {
            while nextRow < todo.count, rowNeeds[nextRow] <= outcomes.count {
                let row = todo[nextRow]
                var result = ["", "", "", ""]
                if let problem = row.problem {
                    result[3] = problem
                } else {
                    switch (outcomes[imageIndex[row.a!]!], outcomes[imageIndex[row.b!]!]) {
                    case (.success(let fa), .success(let fb)):
                        let p = head.probability(PairFeatures(fa.embedding, fb.embedding, kind: head.featureKind))
                        result = [String(format: "%.6f", p), String(format: "%.6f", fa.embedding.distance(to: fb.embedding)),
                                  p >= head.threshold ? "1" : "0", ""]
                    case (.failure(let e), _), (_, .failure(let e)):
                        result[3] = e.message
                    }
                }
                tally.add(result, label: row.label)
                if writeError == nil {
                    do { try out.write(CSVLine.record(padded(row.fields, width) + result)) } catch { writeError = error }
                }
                nextRow += 1
            }
        }
        writeReadyRows()
        let imageURLs = urls
        OrderedWork.run(count: imageURLs.count, threads: runtime.resolvedThreads, work: { i in batch.face(in: imageURLs[i]) }, emit: { _, o in
            outcomes.append(o)
            progress.advance()
            writeReadyRows()
        })
        progress.finish()
        if let writeError { throw writeError }
        try out.finish()
        CacheOptions.save(embeddingCache)

        let seconds = Date().timeIntervalSince(started)
        var summary = String(format: "%d pairs, %d errors, %d images in %.1f s (%.1f images/s)",
                             list.rows.count, tally.errors, urls.count, seconds, Double(urls.count) / max(seconds, 1e-9))
        if out.resumedRows > 0 { summary += " (resumed: \(out.resumedRows) rows were already done)" }
        if let scored = try? ScoredPairs(scores: tally.scores, labels: tally.labels), scored.positives > 0, scored.negatives > 0 {
            summary += String(format: "; accuracy %.2f%% at threshold %.2f, AUC %.4f", 100 * tally.accuracy,
                              head.threshold, (try? scored.areaUnderCurve()) ?? .nan)
        }
        FileHandle.standardError.write(Data((summary + "\n").utf8))
        if tally.errors > 0 { throw CommandFailure.partial("\(tally.errors) of \(list.rows.count) rows have errors (see the error column of \(output))") }
    }

    private func padded(_ fields: [String], _ width: Int) -> [String] {
        fields.count >= width ? fields : fields + Array(repeating: "", count: width - fields.count)
    }
}
