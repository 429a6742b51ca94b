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
                XCTAssertEqual(s.identities, expected.map(\.1), "trial \(trial)")
                XCTAssertEqual(s.scores, expected.map(\.0), "trial \(trial)")
                XCTAssertEqual(s.rows, expected.map(\.2), "trial \(trial)")
            }
            // Merging two halves gives the same answer.
            var a = IdentitySelection(capacity: k), b = IdentitySelection(capacity: k)
            for (j, (score, identity, row)) in rows.enumerated() {
                if j % 2 == 0 { a.offer(score: score, identity: identity, row: row) } else { b.offer(score: score, identity: identity, row: row) }
            }
            a.merge(b)
            XCTAssertEqual(a.identities, expected.map(\.1), "merge, trial \(trial)")
            XCTAssertEqual(a.rows, expected.map(\.2), "merge, trial \(trial)")
        }
    }
}
