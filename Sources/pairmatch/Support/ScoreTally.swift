/// The summary of a score output, counted from the rows as written (result fields probability, distance, same,
/// error), so a resumed run, which reads its first rows back from the partial file, reports exactly what an
/// uninterrupted run does.
struct ScoreTally {
    /// Rows with a non-empty error field.
    private(set) var errors = 0
    /// Written probabilities (6 decimals) of the labelled rows that have one, with their labels.
    private(set) var scores: [Float] = [], labels: [Bool] = []
    /// Labelled scored rows whose `same` column equals the label.
    private(set) var correct = 0

    /// Counts one written row; `label` is the input row's.
    mutating func add(_ result: [String], label: Bool?) {
        if !result[3].isEmpty { errors += 1; return }
        guard let label, let p = Float(result[0]) else { return }
        scores.append(p)
        labels.append(label)
        if (result[2] == "1") == label { correct += 1 }
    }

    /// Share of labelled scored rows decided correctly at the head's threshold (the `same` column), 0 when none.
    var accuracy: Double { labels.isEmpty ? 0 : Double(correct) / Double(labels.count) }
}
