import Dispatch
import Foundation
import FaceEmbedding
import NetLayers
import XCTest
@testable import PairNet

/// The production forward pass (im2col + GEMM, folded affines, fused epilogues, batching, threads)
/// against the naive direct path on random weights: no model file needed.
final class EncoderForwardTests: XCTestCase {
    private static let encoder = try! Encoder(archive: SyntheticEncoderFile.archive())

    private func relativeDifference(_ a: [Embedding], _ b: [Embedding]) -> Float {
        let scale = a.flatMap(\.values).map(abs).max() ?? 1
        return maxDifference(a, b) / scale
    }

    private func maxDifference(_ a: [Embedding], _ b: [Embedding]) -> Float {
        zip(a, b).map { zip($0.values, $1.values).map { abs($0 - $1) }.max()! }.max()!
    }

    func testGEMMPathMatchesNaivePath() {
        let chips = SyntheticEncoderFile.chips(1)          // the naive path is slow in debug builds
        let fast = Self.encoder.embed(chips)
        let naive = Self.encoder.embed(chips, threads: 1, algorithm: .naive)
        XCTAssertLessThan(relativeDifference(fast, naive), 1e-5)
        XCTAssertGreaterThan(fast[0].norm, 0)
    }

    /// Batch composition, thread count and the per-image / grouped GEMM blocking don't change results.
    func testBatchingAndThreadsGiveTheSameEmbeddings() throws {
        let chips = SyntheticEncoderFile.chips(5)
        let single = chips.map { Self.encoder.embed($0) }
        for threads in [1, 2, 3] {
            XCTAssertLessThan(relativeDifference(Self.encoder.embed(chips, threads: threads), single), 1e-5, "threads \(threads)")
        }
        let small = try Encoder(archive: SyntheticEncoderFile.archive(), maxBatch: 2, scratchLimit: 1 << 16)
        XCTAssertLessThan(relativeDifference(small.embed(chips, threads: 2), single), 1e-5)
        XCTAssertEqual(Self.encoder.embed([]), [])
    }

    /// A face's embedding is bitwise the same whichever batch it is computed in: alone, in a batch of 7 or 16 at
    /// any position, on one or two threads, under a small scratch limit (other GEMM blocking).
    func testEmbeddingsAreBitwiseIndependentOfTheBatch() throws {
        let chips = SyntheticEncoderFile.chips(16)
        let alone = chips.map { Self.encoder.embed([$0])[0] }
        func bits(_ e: [Embedding]) -> [[UInt32]] { e.map { $0.values.map(\.bitPattern) } }
        XCTAssertEqual(bits(Self.encoder.embed(chips, threads: 1)), bits(alone), "batch 16")
        XCTAssertEqual(bits(Self.encoder.embed(chips, threads: 2)), bits(alone), "batch 16, two threads")
        for i in [0, 11] {
            XCTAssertEqual(bits(Self.encoder.embed([chips[i]], threads: 2)), [bits(alone)[i]], "one face split over two threads")
        }
        let order = [9, 3, 15, 0, 7, 12, 5]
        XCTAssertEqual(bits(Self.encoder.embed(order.map { chips[$0] })), bits(order.map { alone[$0] }), "batch 7, shuffled")
        let small = try Encoder(archive: SyntheticEncoderFile.archive(), maxBatch: 3, scratchLimit: 1 << 14)
        XCTAssertEqual(bits(small.embed(chips, threads: 2)), bits(alone), "other blocking")
        XCTAssertTrue(alone.allSatisfy { $0.values.allSatisfy(\.isFinite) })
    }

    func testComparePairUsesOneEncoderForBothSides() {
        let chips = SyntheticEncoderFile.chips(2)
        let e = Self.encoder.embed(chips)
        let pair = Self.encoder.comparePair(chips[0], chips[1])
        XCTAssertEqual(pair.distance, e[0].distance(to: e[1]), accuracy: 1e-5)
        XCTAssertLessThan(maxDifference([Embedding(pair.features.values)], [Embedding(PairFeatures(e[0], e[1]).values)]), 1e-5)
        XCTAssertEqual(Self.encoder.comparePair(chips[0], chips[0]).distance, 0, accuracy: 1e-6)
    }

    /// One encoder called from several threads at once (each call takes its own workspace).
    func testConcurrentCallsOnOneEncoder() {
        let chips = SyntheticEncoderFile.chips(3)
        let expected = Self.encoder.embed(chips)
        let results = ResultBox(count: 3)
        DispatchQueue.concurrentPerform(iterations: 3) { i in
            results.set(i, Self.encoder.embed([chips[i]])[0])
        }
        XCTAssertLessThan(relativeDifference(results.values, expected), 1e-5)
    }
}

/// Collects per-iteration results from concurrent code.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Embedding?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ e: Embedding) { lock.lock(); slots[i] = e; lock.unlock() }
    var values: [Embedding] { lock.lock(); defer { lock.unlock() }; return slots.map { $0! } }
}
