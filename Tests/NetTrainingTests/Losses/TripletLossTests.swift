@testable import NetTraining
import SeededRandom
import XCTest

final class TripletLossTests: XCTestCase {
    // A 1-D batch with hand-computed squared distances (see each test). Rows and positions:
    //   row:   0     1     2     3     4
    //   x:     0     1     0.5   1.2   2
    //   label: 0     0     1     1     2     (row 4 has no positive: never an anchor)
    private let positions: [Float] = [0, 1, 0.5, 1.2, 2]
    private let labels = [0, 0, 1, 1, 2]

    private func mined(_ mining: TripletMining, _ x: [Float], _ labels: [Int], margin: Float = 0.2) -> [MinedTriplet] {
        TripletLoss(margin: margin, mining: mining).mine(embeddings: x, labels: labels, dimension: 1)
    }

    private func evaluate(_ loss: TripletLoss, _ e: [Float], _ labels: [Int], dimension: Int)
        -> (TripletLossResult, [Float]) {
        var gradient = [Float](repeating: .nan, count: e.count)      // [B, D], garbage: must be overwritten
        let result = loss.evaluate(embeddings: e, labels: labels, dimension: dimension, gradient: &gradient)
        return (result, gradient)
    }

    func testSemihardPicksTheNearestFartherNegativeElseTheFarthest() {
        // a0 (d_ap 1): negatives 2 → .25, 3 → 1.44, 4 → 4      ⇒ 3 (nearest beyond 1)
        // a1 (d_ap 1): negatives 2 → .25, 3 → .04, 4 → 1 (not > 1) ⇒ none farther: the farthest, 4
        // a2 (d_ap .49): negatives 0 → .25, 1 → .25, 4 → 2.25   ⇒ 4
        // a3 (d_ap .49): negatives 0 → 1.44, 1 → .04, 4 → .64   ⇒ 4 (.64 < 1.44)
        let triplets = mined(.semihard, positions, labels)
        XCTAssertEqual(triplets, [MinedTriplet(anchor: 0, positive: 1, negative: 3),
                                  MinedTriplet(anchor: 1, positive: 0, negative: 4),
                                  MinedTriplet(anchor: 2, positive: 3, negative: 4),
                                  MinedTriplet(anchor: 3, positive: 2, negative: 4)])
        // Hinges at α = .2: −.24, .2, −1.56, .05 → 2 active, loss (.2 + .05) / 4.
        let (result, _) = evaluate(TripletLoss(margin: 0.2, mining: .semihard), positions, labels, dimension: 1)
        XCTAssertEqual(result.triplets, 4)
        XCTAssertEqual(result.activeTriplets, 2)
        XCTAssertEqual(result.activeFraction, 0.5)
        XCTAssertEqual(result.loss, 0.0625, accuracy: 1e-6)
    }

    func testBatchHardPicksFarthestPositiveAndNearestNegative() {
        // a0: negatives .25 (2), 1.44, 4 → 2; a1: .25, .04 (3), 1 → 3;
        // a2: .25 (0), .25 (1) tie → lowest index 0; a3: 1.44, .04 (1), .64 → 1.
        XCTAssertEqual(mined(.hard, positions, labels), [MinedTriplet(anchor: 0, positive: 1, negative: 2),
                                                         MinedTriplet(anchor: 1, positive: 0, negative: 3),
                                                         MinedTriplet(anchor: 2, positive: 3, negative: 0),
                                                         MinedTriplet(anchor: 3, positive: 2, negative: 1)])
        // Hinges .95, 1.16, .44, .65 → mean .8.
        let (result, _) = evaluate(TripletLoss(margin: 0.2, mining: .hard), positions, labels, dimension: 1)
        XCTAssertEqual(result.triplets, 4)
        XCTAssertEqual(result.activeTriplets, 4)
        XCTAssertEqual(result.loss, 0.8, accuracy: 1e-6)

        // With several positives, the farthest one: anchor 0 at 0, positives at .1, −.7, .7 (tie → row 2).
        let x: [Float] = [0, 0.1, -0.7, 0.7, 3]
        let hard = mined(.hard, x, [5, 5, 5, 5, 9])
        XCTAssertEqual(hard.first, MinedTriplet(anchor: 0, positive: 2, negative: 4))
        XCTAssertEqual(hard.count, 4)
    }

    func testBatchAllAveragesOverActiveTriplets() {
        let triplets = mined(.all, positions, labels)
        XCTAssertEqual(triplets.count, 12)                             // 4 anchors × 1 positive × 3 negatives
        XCTAssertEqual(Array(triplets.prefix(3)), [MinedTriplet(anchor: 0, positive: 1, negative: 2),
                                                   MinedTriplet(anchor: 0, positive: 1, negative: 3),
                                                   MinedTriplet(anchor: 0, positive: 1, negative: 4)])
        XCTAssertEqual(Set(triplets).count, 12)
        // Active hinges: a0 .95; a1 .95, 1.16, .2; a2 .44, .44; a3 .65, .05 → 8 active, sum 4.84.
        let (result, _) = evaluate(TripletLoss(margin: 0.2, mining: .all), positions, labels, dimension: 1)
        XCTAssertEqual(result.triplets, 12)
        XCTAssertEqual(result.activeTriplets, 8)
        XCTAssertEqual(result.activeFraction, 8.0 / 12, accuracy: 1e-7)
        XCTAssertEqual(result.loss, 4.84 / 8, accuracy: 1e-6)

        // No active triplet: loss 0 and a zero gradient (not NaN from 0/0).
        let (easy, gradient) = evaluate(TripletLoss(margin: 0.2, mining: .all), [0, 0.1, 5, 5.1], [0, 0, 1, 1], dimension: 1)
        XCTAssertEqual(easy, TripletLossResult(loss: 0, triplets: 8, activeTriplets: 0))
        XCTAssertEqual(gradient, [0, 0, 0, 0])
    }

    func testSemihardTiesGoToTheLowestIndex() {
        // Anchor 0 at 0, positive at .5 (d .25); negatives at −1 (row 2) and +1 (row 3), both at d 1.
        XCTAssertEqual(mined(.semihard, [0, 0.5, -1, 1], [0, 0, 1, 1]).first,
                       MinedTriplet(anchor: 0, positive: 1, negative: 2))
        // Fallback tie: negatives at −.1 (row 2) and +.1 (row 3), both nearer than the positive.
        XCTAssertEqual(mined(.semihard, [0, 0.5, -0.1, 0.1], [0, 0, 1, 1]).first,
                       MinedTriplet(anchor: 0, positive: 1, negative: 2))
        // Also for an anchor whose tied negatives both come before it.
        XCTAssertEqual(mined(.semihard, [-1, 1, 0, 0.5], [1, 1, 0, 0]).first { $0.anchor == 2 },
                       MinedTriplet(anchor: 2, positive: 3, negative: 0))
    }

    func testSemihardNeedsAStrictlyFartherNegative() {
        // Anchor 0 at 0, positive at 1 (d 1); negatives at −1 (row 2, d exactly 1) and 2 (row 3, d 4):
        // row 2 is not farther than the positive, so the semi-hard negative is row 3.
        XCTAssertEqual(mined(.semihard, [0, 1, -1, 2], [0, 0, 1, 1]).first,
                       MinedTriplet(anchor: 0, positive: 1, negative: 3))
    }

    func testAHingeOfExactlyZeroIsInactive() {
        // d_ap = .25, d_an = 1, α = .75: d_ap − d_an + α = 0 exactly (all dyadic), for the one anchor with a
        // positive that comes first; the other anchor (row 1) has d_ap .25, d_an .25 → hinge .75.
        let e: [Float] = [0, 0.5, 1]
        for mining in TripletMining.allCases {
            let (result, gradient) = evaluate(TripletLoss(margin: 0.75, mining: mining), e, [0, 0, 1], dimension: 1)
            XCTAssertEqual(result.triplets, 2, "\(mining)")
            XCTAssertEqual(result.activeTriplets, 1, "\(mining)")
            let denominator: Float = mining == .all ? 1 : 2
            XCTAssertEqual(result.loss, 0.75 / denominator, "\(mining)")
            // Only triplet (1, 0, 2): d/d1 = 2(e2 − e0) = 2, d/d0 = 2(e0 − e1) = −1, d/d2 = 2(e1 − e2) = −1.
            XCTAssertEqual(gradient, [-1 / denominator, 2 / denominator, -1 / denominator], "\(mining)")
        }
    }

    func testAnchorsWithoutPositiveOrNegativeAreSkipped() {
        for mining in TripletMining.allCases {
            let loss = TripletLoss(margin: 0.5, mining: mining)
            // One class only: no negatives anywhere.
            let (one, g1) = evaluate(loss, [0, 1, 2, 3], [7, 7, 7, 7], dimension: 1)
            XCTAssertEqual(one, TripletLossResult(), "\(mining)")
            XCTAssertEqual(g1, [0, 0, 0, 0])
            // All singletons: no positives anywhere.
            let (singles, g2) = evaluate(loss, [0, 1, 2], [0, 1, 2], dimension: 1)
            XCTAssertEqual(singles, TripletLossResult(), "\(mining)")
            XCTAssertEqual(g2, [0, 0, 0])
            XCTAssertEqual(loss.mine(embeddings: [Float](), labels: [], dimension: 3), [])
            // Singleton rows (3, 4) are never anchors or positives but may be negatives.
            let triplets = loss.mine(embeddings: [0, 0.3, 0.2, 5], labels: [0, 0, 1, 2], dimension: 1)
            XCTAssertEqual(Set(triplets.map(\.anchor)), [0, 1], "\(mining)")
            XCTAssertTrue(triplets.allSatisfy { $0.positive < 2 && $0.negative >= 2 }, "\(mining)")
        }
    }

    func testHandGradientOfASingleTriplet() {
        // 2-D: a = (0, 0), p = (1, 0), n = (0, 0.5); d_ap = 1, d_an = .25, hinge 1.75 with α 1.
        // dL/da = 2(n − p) = (−2, 1), dL/dp = 2(p − a) = (2, 0), dL/dn = 2(a − n) = (0, −1).
        let e: [Float] = [0, 0, 1, 0, 0, 0.5]
        for mining in TripletMining.allCases {
            let (result, gradient) = evaluate(TripletLoss(margin: 1, mining: mining), e, [0, 0, 1], dimension: 2)
            // Anchor 1 forms the second triplet (1, 0, 2): d_ap 1, d_an 1.25, hinge .75, with
            // dL/d(row 1) = 2(n − row 0) = (0, 1), dL/d(row 0) = 2(row 0 − row 1) = (−2, 0), dL/dn = 2(row 1 − n) = (2, −1).
            XCTAssertEqual(result.triplets, 2, "\(mining)")
            XCTAssertEqual(result.activeTriplets, 2, "\(mining)")
            XCTAssertEqual(result.loss, (1.75 + 0.75) / 2, accuracy: 1e-6, "\(mining)")
            let expected: [Float] = [(-2 - 2) / 2, (1 + 0) / 2, (2 + 0) / 2, (0 + 1) / 2, (0 + 2) / 2, (-1 - 1) / 2]
            for k in 0..<6 { XCTAssertEqual(gradient[k], expected[k], accuracy: 1e-6, "\(mining) [\(k)]") }
        }
    }

    func testGradientsMatchFiniteDifferences() throws {
        // P = 3 classes × K = 3, D = 4, unit rows clustered by class (so that some triplets are inactive even for
        // batch-hard); the reference below mines and sums independently, in Double.
        let labels = [0, 1, 2, 0, 1, 2, 0, 1, 2]
        let dimension = 4
        let cases: [(TripletMining, Float, UInt64)] = [(.semihard, 0.2, 11), (.hard, 0.2, 12), (.all, 0.5, 13),
                                                       (.semihard, 0.5, 14), (.hard, 0.05, 15), (.all, 1.5, 16)]
        for (mining, margin, seed) in cases {
            let e = unitRows(count: labels.count, dimension: dimension, seed: seed, labels: labels, spread: 0.6)
            let loss = TripletLoss(margin: margin, mining: mining)
            let (result, gradient) = evaluate(loss, e, labels, dimension: dimension)
            let base = referenceLoss(e.map(Double.init), labels, dimension, Double(margin), mining)
            XCTAssertEqual(loss.mine(embeddings: e, labels: labels, dimension: dimension), base.triplets, "\(mining)")
            XCTAssertEqual(result.triplets, base.triplets.count, "\(mining)")
            XCTAssertEqual(result.activeTriplets, base.active.filter { $0 }.count, "\(mining)")
            XCTAssertGreaterThan(result.activeTriplets, 0, "\(mining) seed \(seed): pick a batch with active triplets")
            XCTAssertLessThan(result.activeTriplets, result.triplets, "\(mining) seed \(seed): want inactive ones too")
            XCTAssertEqual(Double(result.loss), base.loss, accuracy: 1e-6 * max(1, base.loss), "\(mining)")

            let h = 1e-5
            var worst = 0.0
            for i in 0..<e.count {
                var plus = e.map(Double.init), minus = plus
                plus[i] += h
                minus[i] -= h
                let up = referenceLoss(plus, labels, dimension, Double(margin), mining)
                let down = referenceLoss(minus, labels, dimension, Double(margin), mining)
                // The mined choices and the active set must not change under the perturbation (no near-ties).
                XCTAssertTrue(up.triplets == base.triplets && down.triplets == base.triplets
                              && up.active == base.active && down.active == base.active,
                              "\(mining) seed \(seed): a near-tie at coordinate \(i); choose another seed")
                let numeric = (up.loss - down.loss) / (2 * h)
                worst = max(worst, abs(numeric - Double(gradient[i])))
                XCTAssertEqual(Double(gradient[i]), numeric, accuracy: 2e-5 + 1e-4 * abs(numeric),
                               "\(mining) seed \(seed) coordinate \(i)")
            }
            XCTAssertLessThan(worst, 2e-5, "\(mining)")
        }
    }

    func testDeterministicAndOverwritesTheGradient() {
        let labels = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]
        let e = unitRows(count: labels.count, dimension: 8, seed: 99)
        for mining in TripletMining.allCases {
            let loss = TripletLoss(margin: 0.3, mining: mining)
            var first = [Float](repeating: 1e9, count: e.count)
            var second = [Float](repeating: -7, count: e.count)
            let r1 = loss.evaluate(embeddings: e, labels: labels, dimension: 8, gradient: &first)
            let r2 = loss.evaluate(embeddings: e, labels: labels, dimension: 8, gradient: &second)
            XCTAssertEqual(r1, r2)
            XCTAssertEqual(first, second, "\(mining)")
            XCTAssertTrue(first.allSatisfy { abs($0) < 100 }, "\(mining)")
        }
    }

    func testResultDefaultsAndCodableConfiguration() throws {
        XCTAssertEqual(TripletLossResult().activeFraction, 0)
        XCTAssertEqual(TripletLoss().margin, 0.2)
        XCTAssertEqual(TripletLoss().mining, .semihard)
        XCTAssertEqual(TripletMining(rawValue: "hard"), .hard)
        let loss = TripletLoss(margin: 0.35, mining: .all)
        XCTAssertEqual(try JSONDecoder().decode(TripletLoss.self, from: JSONEncoder().encode(loss)), loss)
    }

    // MARK: Reference (independent, brute force, Double)

    private struct Reference {
        var loss: Double
        var triplets: [MinedTriplet]
        var active: [Bool]
    }

    private func referenceLoss(_ e: [Double], _ labels: [Int], _ dimension: Int, _ margin: Double,
                               _ mining: TripletMining) -> Reference {
        let n = labels.count
        func d(_ i: Int, _ j: Int) -> Double {
            (0..<dimension).reduce(0.0) { $0 + (e[i * dimension + $1] - e[j * dimension + $1]) * (e[i * dimension + $1] - e[j * dimension + $1]) }
        }
        var triplets: [MinedTriplet] = []
        for a in 0..<n {
            let positives = (0..<n).filter { $0 != a && labels[$0] == labels[a] }
            let negatives = (0..<n).filter { labels[$0] != labels[a] }
            guard !positives.isEmpty, !negatives.isEmpty else { continue }
            // Sort keys: (distance, index) so that `first` is the nearest with the lowest index.
            let byNear = negatives.sorted { (d(a, $0), $0) < (d(a, $1), $1) }
            let byFar = negatives.sorted { (-d(a, $0), $0) < (-d(a, $1), $1) }
            switch mining {
            case .semihard:
                for p in positives {
                    let chosen = byNear.first { d(a, $0) > d(a, p) } ?? byFar[0]
                    triplets.append(MinedTriplet(anchor: a, positive: p, negative: chosen))
                }
            case .hard:
                let p = positives.sorted { (-d(a, $0), $0) < (-d(a, $1), $1) }[0]
                triplets.append(MinedTriplet(anchor: a, positive: p, negative: byNear[0]))
            case .all:
                for p in positives { for m in negatives { triplets.append(MinedTriplet(anchor: a, positive: p, negative: m)) } }
            }
        }
        let hinges = triplets.map { d($0.anchor, $0.positive) - d($0.anchor, $0.negative) + margin }
        let active = hinges.map { $0 > 0 }
        let sum = hinges.filter { $0 > 0 }.reduce(0, +)
        let denominator = mining == .all ? active.filter { $0 }.count : triplets.count
        return Reference(loss: denominator > 0 ? sum / Double(denominator) : 0, triplets: triplets, active: active)
    }
}

/// `count` L2-normalised random rows, `[count, dimension]`; with `labels`, each row is its class's random centre plus
/// `spread` times uniform noise before normalising.
private func unitRows(count: Int, dimension: Int, seed: UInt64, labels: [Int]? = nil, spread: Float = 1) -> [Float] {
    var g = SplitMix64(seed: seed)
    var centres: [Int: [Float]] = [:]
    for label in Set(labels ?? []).sorted() { centres[label] = (0..<dimension).map { _ in g.symmetricUnit() } }
    var e = [Float](repeating: 0, count: count * dimension)
    for i in 0..<count {
        let centre = labels.map { centres[$0[i]]! } ?? [Float](repeating: 0, count: dimension)
        for k in 0..<dimension { e[i * dimension + k] = centre[k] + spread * g.symmetricUnit() }
        let norm = (0..<dimension).reduce(Float(0)) { $0 + e[i * dimension + $1] * e[i * dimension + $1] }.squareRoot()
        for k in 0..<dimension { e[i * dimension + k] /= norm }
    }
    return e
}
