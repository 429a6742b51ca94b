import Foundation
import PairMetrics

extension HeadTrainer {
    /// Fold fits (which only feed held-out metrics) stop at this relative step at the latest, and may stop on
    /// the predicted step (see `IRLSSolver.fit(acceptPredicted:)`).
    static let foldTolerance = 1e-6

    /// Outcome of the k-fold search: the chosen λ, the full-data fit for it and its held-out metrics.
    struct CrossValidation {
        var lambda: Double
        var fit: IRLSSolver.Result
        var metrics: HeldOutMetrics
    }

    /// Stratified k-fold over all pairs of `solver` for every λ of `grid` (descending). For each λ the full-data
    /// fit comes first (warm-started from the previous, larger λ), then each fold's fit starts from it (the
    /// optimum of k − 1 folds lies close to the full one). Chooses the λ with the lowest mean held-out
    /// class-weighted log-loss (ties: the larger λ) and returns its full-data fit.
    func crossValidate(solver: IRLSSolver, grid: [Double], folds k: Int) throws(LogisticHeadError) -> CrossValidation {
        let labels = solver.labels
        let kfold: KFold
        do {
            kfold = try KFold(labels: labels, folds: k, seed: seed)
        } catch {
            throw .invalidConfiguration("k-fold split failed: \(error)")
        }
        let splits = kfold.run { $0 }
        let allRows = Array(labels.indices)
        let foldTolerance = max(tolerance, Self.foldTolerance)

        var best: (lambda: Double, fit: IRLSSolver.Result, thetas: [[Double]], loss: Double)? = nil
        var previous: [Double]? = nil
        for lambda in grid {
            let full = try solver.fit(rows: allRows, lambda: lambda, start: previous,
                                      tolerance: tolerance, maxIterations: maxIterations)
            previous = full.theta
            var thetas: [[Double]] = []   // [fold] → [D+1]
            var loss = 0.0
            for split in splits {
                let fold = try solver.fit(rows: split.training, lambda: lambda, start: full.theta,
                                          tolerance: foldTolerance, maxIterations: maxIterations, acceptPredicted: true)
                thetas.append(fold.theta)
                let p = Self.probabilities(theta: fold.theta, rows: split.test, features: solver.features, logOddsShift: 0)
                loss += Self.balancedLogLoss(p, rows: split.test, labels: labels) / Double(k)
            }
            if best == nil || loss < best!.loss { best = (lambda, full, thetas, loss) }
        }
        let chosen = best!
        let metrics = try heldOutMetrics(solver: solver, splits: splits, thetas: chosen.thetas)
        return CrossValidation(lambda: chosen.lambda, fit: chosen.fit, metrics: metrics)
    }

    /// The per-fold metrics of the fold solutions `thetas` `[folds][D+1]` (see `HeldOutMetrics`).
    private func heldOutMetrics(solver: IRLSSolver, splits: [FoldSplit], thetas: [[Double]]) throws(LogisticHeadError) -> HeldOutMetrics {
        let labels = solver.labels
        var accuracy: [Double] = [], auc: [Double] = [], eer: [Double] = [], brier: [Double] = [], ece: [Double] = []
        for (split, theta) in zip(splits, thetas) {
            let test = try Self.scored(
                Self.probabilities(theta: theta, rows: split.test, features: solver.features, logOddsShift: 0),
                split.test, labels)
            let threshold: Double
            switch thresholdChoice {
            case let .fixed(t):
                threshold = Double(t)
            case .bestTrainingAccuracy:
                let train = try Self.scored(
                    Self.probabilities(theta: theta, rows: split.training, features: solver.features, logOddsShift: 0),
                    split.training, labels)
                threshold = Double(Float(train.bestAccuracyThreshold().threshold).clampedToUnit)
            }
            // Calibration under the fold's training prior (0 shift for balanced data).
            let trainingPositives = Double(split.training.reduce(0) { $0 + (labels[$1] ? 1 : 0) })
            let prior = trainingPositives / Double(split.training.count)
            let calibrated = try Self.scored(
                Self.probabilities(theta: theta, rows: split.test, features: solver.features,
                                   logOddsShift: log(prior / (1 - prior))),
                split.test, labels)
            do {
                accuracy.append(test.accuracy(threshold: threshold))
                auc.append(try test.areaUnderCurve())
                eer.append(try test.equalErrorRate())
                brier.append(try calibrated.brierScore())
                ece.append(try calibrated.expectedCalibrationError())
            } catch {
                throw .invalidConfiguration("held-out evaluation of fold \(split.fold) failed: \(error)")
            }
        }
        return HeldOutMetrics(accuracy: MeanStd(accuracy), areaUnderCurve: MeanStd(auc), equalErrorRate: MeanStd(eer),
                              brierScore: MeanStd(brier), expectedCalibrationError: MeanStd(ece))
    }

    /// Class-balanced mean log-loss: ½·(mean over positives + mean over negatives) of −log p(true class).
    /// Probabilities are clamped to [1e-15, 1 − 1e-15].
    static func balancedLogLoss(_ probabilities: [Double], rows: [Int], labels: [Bool]) -> Double {
        var sum = (positive: 0.0, negative: 0.0), count = (positive: 0, negative: 0)
        for (p, row) in zip(probabilities, rows) {
            let q = min(max(p, 1e-15), 1 - 1e-15)
            if labels[row] { sum.positive -= log(q); count.positive += 1 } else { sum.negative -= log(1 - q); count.negative += 1 }
        }
        let pos = count.positive > 0 ? sum.positive / Double(count.positive) : 0
        let neg = count.negative > 0 ? sum.negative / Double(count.negative) : 0
        return (pos + neg) / 2
    }
}
