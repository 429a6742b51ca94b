import SeededRandom
import XCTest

final class SplitMix64Tests: XCTestCase {
    func testReferenceSequence() {
        // Published first outputs of SplitMix64 seeded with 0 (as in the reference C implementation).
        var rng = SplitMix64(seed: 0)
        XCTAssertEqual(rng.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(rng.next(), 0x6E78_9E6A_A1B9_65F4)
    }

    func testDerivedDrawsStayInRangeAndCoverIt() {
        var rng = SplitMix64(seed: 42)
        var seen = Set<Int>()
        for _ in 0..<2000 {
            let k = rng.below(7)
            XCTAssertTrue((0..<7).contains(k))
            seen.insert(k)
            let u = rng.uniform(-0.5, 2)
            XCTAssertTrue(u >= -0.5 && u < 2, "\(u)")
            let s = rng.symmetricUnit()
            XCTAssertTrue(s >= -1 && s < 1, "\(s)")
        }
        XCTAssertEqual(seen.count, 7)
        XCTAssertEqual(rng.below(1), 0)
    }

    func testSameSeedSameSequence() {
        var a = SplitMix64(seed: 9), b = SplitMix64(seed: 9), c = SplitMix64(seed: 10)
        let xs = (0..<5).map { _ in a.next() }
        XCTAssertEqual(xs, (0..<5).map { _ in b.next() })
        XCTAssertNotEqual(xs, (0..<5).map { _ in c.next() })
    }
}
