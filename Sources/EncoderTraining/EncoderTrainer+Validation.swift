import ImageDataset
import LayerGraph
import NetTraining
import PairMetrics

extension EncoderTrainer {
    /// Embeds every validation image in evaluation mode (batches of 256) and fills in the report's one-shot accuracy
    /// (nearest neighbour; and by the logistic unit when `unit` [D + 1] is given) and pair AUC / EER by distance.
    func validate(_ net: TrainingNetwork, unit: [Float]?, into report: inout EpochReport) {
        guard let v = validation, let episodes, let pairs else { return }
        let e = embed(v, with: net)
        let d = net.outputCount
        report.validationAccuracy = episodes.accuracy(embeddings: e, dimension: d)
        if let unit { report.validationUnitAccuracy = Self.unitAccuracy(episodes, embeddings: e, dimension: d, unit: unit) }
        let distances = pairs.distances(embeddings: e, dimension: d)
        if let scored = try? ScoredPairs(scores: distances.map { -Double($0) }, labels: pairs.same) {
            report.validationAUC = try? scored.areaUnderCurve()
            report.validationEER = try? scored.equalErrorRate()
        }
    }

    /// `[N, D]` embeddings of `images` by the network in evaluation mode.
    func embed(_ images: LoadedImages, with net: TrainingNetwork) -> [Float] {
        let d = net.outputCount, per = images.spec.count
        var out = [Float](repeating: 0, count: images.count * d)
        images.images.withUnsafeBufferPointer { src in
            var start = 0
            while start < images.count {
                let n = min(256, images.count - start)
                let y = net.forward(src.baseAddress! + start * per, count: n, mode: .evaluation)
                for i in 0..<(n * d) { out[start * d + i] = y[i] }
                start += n
            }
        }
        return out
    }

    /// One-shot accuracy when each query goes to the support with the highest unit logit w·|Δ| + b.
    static func unitAccuracy(_ episodes: OneShotEpisodes, embeddings e: [Float], dimension d: Int, unit: [Float]) -> Double {
        var correct = 0, total = 0
        for episode in episodes.episodes {
            for (qi, q) in episode.queries.enumerated() {
                var bestScore = -Float.infinity, bestClass = -1
                for (si, s) in episode.support.enumerated() {
                    var z = unit[d]
                    for k in 0..<d { z += unit[k] * abs(e[q * d + k] - e[s * d + k]) }
                    if z > bestScore { bestScore = z; bestClass = si }
                }
                if bestClass == qi { correct += 1 }
                total += 1
            }
        }
        return total == 0 ? 0 : Double(correct) / Double(total)
    }
}
