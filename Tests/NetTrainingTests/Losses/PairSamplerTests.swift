@testable import NetTraining
import SeededRandom
import XCTest

final class PairSamplerTests: XCTestCase {
    /// P = 4 classes × K = 4 rows, classes interleaved: 4·6 = 24 same pairs, 96 different pairs.
    private let labels = (0..<16).map { $0 % 4 }

    private func draw(_ sampler: PairSampler, _ labels: [Int], _ count: Int, seed: UInt64,
                      embeddings: [Float]? = nil, dimension: Int = 1) -> [IndexPair] {
        var g = SplitMix64(seed: seed)
        if let embeddings {
            return embeddings.withUnsafeBufferPointer {
                sampler.pairs(labels: labels, count: count, embeddings: $0.baseAddress, dimension: dimension, generator: &g)
            }
        }
        return sampler.pairs(labels: labels, count: count, embeddings: nil, dimension: dimension, generator: &g)
    }

    private func assertWellFormed(_ pairs: [IndexPair], _ labels: [Int], file: StaticString = #filePath, line: UInt = #line) {
        for p in pairs {
            XCTAssertLessThan(p.a, p.b, "a row paired with itself or unordered: \(p)", file: file, line: line)
            XCTAssertEqual(p.same, labels[p.a] == labels[p.b], "\(p)", file: file, line: line)
        }
    }

    func testBalancedDistinctAndNeverSelfPaired() {
        for seed: UInt64 in 0..<20 {
            let pairs = draw(PairSampler(), labels, 20, seed: seed)
            XCTAssertEqual(pairs.count, 20)
            XCTAssertEqual(pairs.filter(\.same).count, 10)
            XCTAssertTrue(pairs.prefix(10).allSatisfy(\.same))      // same pairs first, then different
            assertWellFormed(pairs, labels)
            XCTAssertEqual(Set(pairs).count, 20, "no repeats while the candidates last")
        }
        // An odd count yields count − 1; tiny counts none.
        XCTAssertEqual(draw(PairSampler(), labels, 7, seed: 1).count, 6)
        XCTAssertEqual(draw(PairSampler(), labels, 1, seed: 1), [])
        XCTAssertEqual(draw(PairSampler(), labels, 0, seed: 1), [])
    }

    func testDeterministicForASeed() {
        let sampler = PairSampler()
        XCTAssertEqual(draw(sampler, labels, 32, seed: 42), draw(sampler, labels, 32, seed: 42))
        XCTAssertNotEqual(draw(sampler, labels, 32, seed: 42), draw(sampler, labels, 32, seed: 43))
        // The generator advances: two calls in a row differ, and resume from the state.
        var g = SplitMix64(seed: 5)
        let first = sampler.pairs(labels: labels, count: 16, embeddings: nil, dimension: 1, generator: &g)
        var resumed = SplitMix64(seed: g.state)
        let second = sampler.pairs(labels: labels, count: 16, embeddings: nil, dimension: 1, generator: &g)
        XCTAssertNotEqual(first, second)
        XCTAssertEqual(sampler.pairs(labels: labels, count: 16, embeddings: nil, dimension: 1, generator: &resumed), second)
    }

    func testUniformOverCandidatePairs() {
        // Labels 0 0 0 1 1 1: 6 same pairs, 9 different pairs; one of each per draw, 9000 draws.
        let small = [0, 0, 0, 1, 1, 1]
        var g = SplitMix64(seed: 7)
        var sameCounts: [IndexPair: Int] = [:], differentCounts: [IndexPair: Int] = [:]
        for _ in 0..<9000 {
            let pairs = PairSampler().pairs(labels: small, count: 2, embeddings: nil, dimension: 1, generator: &g)
            XCTAssertEqual(pairs.count, 2)
            sameCounts[pairs[0], default: 0] += 1
            differentCounts[pairs[1], default: 0] += 1
        }
        XCTAssertEqual(sameCounts.count, 6)
        XCTAssertEqual(differentCounts.count, 9)
        for (pair, n) in sameCounts { XCTAssertEqual(Double(n), 1500, accuracy: 150, "\(pair)") }       // ≈ 4σ
        for (pair, n) in differentCounts { XCTAssertEqual(Double(n), 1000, accuracy: 125, "\(pair)") }
    }

    func testRepeatsOnlyWhenCandidatesRunOutAndEmptyKinds() {
        // Labels 0 0 1: one same pair (0, 1), two different pairs; 4 of each requested.
        let pairs = draw(PairSampler(), [0, 0, 1], 8, seed: 3)
        XCTAssertEqual(Array(pairs.prefix(4)), Array(repeating: IndexPair(a: 0, b: 1, same: true), count: 4))
        let different = Array(pairs.suffix(4))
        XCTAssertEqual(Set(different), [IndexPair(a: 0, b: 2, same: false), IndexPair(a: 1, b: 2, same: false)])
        XCTAssertEqual(Set(different.prefix(2)).count, 2, "each candidate once before any repeats")
        // No different-class pair: only the same half; no same-class pair: only the different half.
        let oneClass = draw(PairSampler(), [4, 4, 4], 6, seed: 3)
        XCTAssertEqual(oneClass.count, 3)
        XCTAssertTrue(oneClass.allSatisfy(\.same))
        let singletons = draw(PairSampler(hardNegatives: true), [0, 1, 2], 4, seed: 3, embeddings: [0, 1, 3])
        XCTAssertEqual(singletons, [IndexPair(a: 0, b: 1, same: false), IndexPair(a: 1, b: 2, same: false)])
    }

    func testHardNegativesAreTheClosestDifferentClassPairs() {
        let dimension = 3
        var g = SplitMix64(seed: 77)
        let e = (0..<(labels.count * dimension)).map { _ in g.symmetricUnit() }
        let sampler = PairSampler(hardNegatives: true)
        let pairs = draw(sampler, labels, 24, seed: 9, embeddings: e, dimension: dimension)
        XCTAssertEqual(pairs.count, 24)
        assertWellFormed(pairs, labels)
        XCTAssertEqual(pairs.filter(\.same).count, 12)

        // Brute force: every different-class pair by distance.
        func d(_ i: Int, _ j: Int) -> Double {
            (0..<dimension).reduce(0.0) { $0 + pow(Double(e[i * dimension + $1]) - Double(e[j * dimension + $1]), 2) }
        }
        var all: [(Double, IndexPair)] = []
        for a in 0..<labels.count { for b in (a + 1)..<labels.count where labels[a] != labels[b] {
            all.append((d(a, b), IndexPair(a: a, b: b, same: false)))
        } }
        all.sort { $0.0 < $1.0 }
        let hard = Array(pairs.suffix(12))
        XCTAssertEqual(hard, all.prefix(12).map(\.1))
        XCTAssertEqual(Set(hard).count, 12)
        XCTAssertLessThan(all[11].0, all[12].0, "the test wants no tie at the cut")
        // The hard half does not depend on the generator; the same half still does.
        let other = draw(sampler, labels, 24, seed: 10, embeddings: e, dimension: dimension)
        XCTAssertEqual(Array(other.suffix(12)), hard)
        XCTAssertNotEqual(Array(other.prefix(12)), Array(pairs.prefix(12)))
        // Uniform sampling would not pick exactly these.
        XCTAssertNotEqual(Set(draw(PairSampler(), labels, 24, seed: 9).suffix(12)), Set(hard))
    }

    func testHardNegativeTiesByLowestPair() {
        // 1-D: rows at 0, 1, 2, 3 with labels 0 1 0 1: the different pairs (0,1), (1,2), (2,3) are all at distance 1.
        let pairs = draw(PairSampler(hardNegatives: true), [0, 1, 0, 1], 4, seed: 0, embeddings: [0, 1, 2, 3])
        XCTAssertEqual(Array(pairs.suffix(2)), [IndexPair(a: 0, b: 1, same: false), IndexPair(a: 1, b: 2, same: false)])
    }
}
