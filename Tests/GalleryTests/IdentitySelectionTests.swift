@testable import Gallery
import SeededRandom
import XCTest

final class IdentitySelectionTests: XCTestCase {
    /// Keeps the K best identities by their best row, whatever the offering order.
    func testEqualsSortingForAnyOrder() {
        var rng = SplitMix64(seed: 9)
        for trial in 0..<50 {
            let n = 1 + Int(rng.next() % 200)
            let k = 1 + Int(rng.next() % 12)
            // Few distinct scores and identities so ties and repeated identities are frequent.
            let rows: [(Float, Int32, Int32)] = (0..<n).map { j in
                (Float(rng.next() % 20), Int32(rng.next() % 30), Int32(j))
            }
            var best: [Int32: (Float, Int32)] = [:]
            for (s, i, r) in rows where best[i].map({ s < $0.0 || (s == $0.0 && r < $0.1) }) ?? true { best[i] = (s, r) }
            let expected = best.map { ($0.value.0, $0.key, $0.value.1) }
                .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.prefix(k)
            for order in [rows, rows.reversed(), rows.shuffled(using: &rng)] {
                var s = IdentitySelection(capacity: k)
                for (score, identity, row) in order where score <= s.bound { s.offer(score: score, identity: identity, row: row) }
                XCTAssertEqual(Array(s.identities.prefix(k)), expected.map(\.1), "trial \(trial)")
                XCTAssertEqual(Array(s.scores.prefix(k)), expected.map(\.0), "trial \(trial)")
                XCTAssertEqual(Array(s.rows.prefix(k)), expected.map(\.2), "trial \(trial)")
                // with τ = 0 only identities tied with the K-th are kept beyond K
                XCTAssertTrue(s.scores.dropFirst(k).allSatisfy { $0 == expected.last!.0 }, "trial \(trial)")
            }
            // Merging two halves gives the same answer.
            var a = IdentitySelection(capacity: k), b = IdentitySelection(capacity: k)
            for (j, (score, identity, row)) in rows.enumerated() {
                if j % 2 == 0 { a.offer(score: score, identity: identity, row: row) } else { b.offer(score: score, identity: identity, row: row) }
            }
            a.merge(b)
            XCTAssertEqual(Array(a.identities.prefix(k)), expected.map(\.1), "merge, trial \(trial)")
            XCTAssertEqual(Array(a.rows.prefix(k)), expected.map(\.2), "merge, trial \(trial)")
        }
    }

    /// Scores off by up to ±τ/2 (as BLAS's are): the exact K nearest identities, each with its exact nearest row,
    /// are among the candidates, in any offering order and after merging; and the margin keeps few extra.
    func testCandidatesHoldTheExactAnswerDespiteScoreErrors() {
        var rng = SplitMix64(seed: 12)
        let tolerance: Float = 0.5
        var extra = 0, offered = 0
        for trial in 0..<200 {
            let n = 1 + Int(rng.next() % 300)
            let k = 1 + Int(rng.next() % 10)
            // exact scores on a coarse grid (many ties), errors in [−τ/2, τ/2]
            let rows: [(exact: Float, score: Float, identity: Int32, row: Int32)] = (0..<n).map { j in
                let exact = Float(rng.next() % 40) * 0.25
                let error = (Float(rng.next() % 1001) / 1000 - 0.5) * tolerance
                return (exact, max(0, exact + error), Int32(rng.next() % 60), Int32(j))
            }
            var best: [Int32: (Float, Int32)] = [:]
            for r in rows where best[r.identity].map({ r.exact < $0.0 || (r.exact == $0.0 && r.row < $0.1) }) ?? true {
                best[r.identity] = (r.exact, r.row)
            }
            let expected = best.map { (score: $0.value.0, identity: $0.key, row: $0.value.1) }
                .sorted { $0.score != $1.score ? $0.score < $1.score : $0.identity < $1.identity }.prefix(k)
            var a = IdentitySelection(capacity: k, tolerance: tolerance), b = a
            for (j, r) in rows.shuffled(using: &rng).enumerated() {
                if j % 3 == 0 { if r.score <= a.bound { a.offer(score: r.score, identity: r.identity, row: r.row) } }
                else if r.score <= b.bound { b.offer(score: r.score, identity: r.identity, row: r.row) }
            }
            var whole = IdentitySelection(capacity: k, tolerance: tolerance)
            for r in rows where r.score <= whole.bound { whole.offer(score: r.score, identity: r.identity, row: r.row) }
            a.merge(b)
            for s in [whole, a] {
                let candidates = Set(s.candidateRows.map { "\($0.identity)/\($0.row)" })
                for e in expected { XCTAssertTrue(candidates.contains("\(e.identity)/\(e.row)"), "trial \(trial): \(e)") }
                // the exact nearest row is each identity's candidate with the lowest exact score
                XCTAssertGreaterThanOrEqual(s.count, expected.count)
            }
            extra += whole.candidateRows.count - expected.count
            offered += n
        }
        XCTAssertLessThan(extra, offered / 4, "the margin keeps a small part of the rows")
    }
}
