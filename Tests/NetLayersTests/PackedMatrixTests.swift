@testable import NetLayers
import SeededRandom
import TestSupport
import XCTest

final class PackedMatrixTests: XCTestCase {
    /// The packed kernel equals the scalar fold bit for bit, for ragged M, N, K (edge tiles, several K and N
    /// blocks), strided and transposed B, C starting from arbitrary values (the bias), and exactly four narrow
    /// columns (the four-column kernel: whole and partial groups of A panels); and with `accumulate: false` from a
    /// NaN-filled C (the first depth block must not read it, the later ones must).
    func testMultiplyAddEqualsTheScalarFoldBitForBit() {
        var rng = SplitMix64(seed: 71)
        let shapes = [(1, 1, 1), (6, 16, 3), (7, 17, 5), (13, 40, 300), (64, 300, 257), (5, 529, 600), (32, 1, 70), (100, 3, 300), (256, 1, 600), (61, 260, 9), (256, 4, 300), (20, 20, 7), (13, 4, 33), (7, 36, 260)]
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: PackedMatrix.scratchCount)
        defer { scratch.deallocate() }
        for (m, n, k) in shapes {
            for (transposed, accumulate) in [(false, true), (true, true), (false, false), (true, false)] {
                let a = rng.floats(m * k)                           // [M, K]
                let ldb = (transposed ? k : n) + 3
                let b = rng.floats((transposed ? n : k) * ldb)      // [K, N] or [N, K], padded rows
                let ldc = n + 2
                let c0 = rng.floats(m * ldc)                        // [M, N] with stride ldc
                var naive = c0
                var fast = accumulate ? c0 : c0.enumerated().map { $0.offset % ldc < n ? .nan : $0.element }
                let packed = PackedMatrix(a, rows: m, depth: k)
                b.withUnsafeBufferPointer { bp in
                    fast.withUnsafeMutableBufferPointer { cp in
                        packed.multiplyAdd(bp.baseAddress!, ldb: ldb, bTransposed: transposed, columns: n,
                                           into: cp.baseAddress!, ldc: ldc, accumulate: accumulate, scratch: scratch)
                    }
                    a.withUnsafeBufferPointer { ap in
                        naive.withUnsafeMutableBufferPointer { cp in
                            PackedMatrix.multiplyAddNaive(a: ap.baseAddress!, lda: k, rows: m, depth: k, bp.baseAddress!, ldb: ldb,
                                                          bTransposed: transposed, columns: n, into: cp.baseAddress!, ldc: ldc,
                                                          accumulate: accumulate)
                        }
                    }
                }
                assertBitwiseEqual(fast, naive, "M=\(m) N=\(n) K=\(k) transposed=\(transposed) accumulate=\(accumulate)")
                // the padding between rows of C is not touched
                for i in 0..<m { for j in n..<ldc { XCTAssertEqual(fast[i * ldc + j].bitPattern, c0[i * ldc + j].bitPattern) } }
            }
        }
    }

    /// A column's result does not depend on its neighbours: computing columns one at a time, or in any split of
    /// the rows into panel ranges, gives the product of all columns at once, bit for bit.
    func testAColumnsResultIsIndependentOfTheOtherColumnsAndTheSplit() {
        var rng = SplitMix64(seed: 72)
        let m = 56, n = 36, k = 290   // 10 panels: a full narrow group and a partial one; 36 = 2 × 16 + 4 narrow columns
        let a = rng.floats(m * k), b = rng.floats(k * n), bias = rng.floats(m * n)
        let packed = PackedMatrix(a, rows: m, depth: k)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: PackedMatrix.scratchCount)
        defer { scratch.deallocate() }
        var whole = bias
        b.withUnsafeBufferPointer { bp in
            whole.withUnsafeMutableBufferPointer {
                packed.multiplyAdd(bp.baseAddress!, ldb: n, columns: n, into: $0.baseAddress!, ldc: n, scratch: scratch)
            }
        }
        var single = [Float](repeating: .nan, count: m * n)
        for j in 0..<n {
            var column = (0..<m).map { bias[$0 * n + j] }
            let bj = (0..<k).map { b[$0 * n + j] }                 // [K, 1]
            bj.withUnsafeBufferPointer { bp in
                column.withUnsafeMutableBufferPointer {
                    packed.multiplyAdd(bp.baseAddress!, ldb: 1, columns: 1, into: $0.baseAddress!, ldc: 1, scratch: scratch)
                }
            }
            for i in 0..<m { single[i * n + j] = column[i] }
        }
        assertBitwiseEqual(single, whole, "one column at a time")
        var split = bias
        b.withUnsafeBufferPointer { bp in
            split.withUnsafeMutableBufferPointer { cp in
                for range in [0..<1, 1..<4, 4..<10] {
                    packed.multiplyAdd(bp.baseAddress!, ldb: n, columns: n, into: cp.baseAddress!, ldc: n, scratch: scratch, panelRange: range)
                }
            }
        }
        assertBitwiseEqual(split, whole, "rows in two panel ranges")
    }

    /// NaN and infinity propagate as in the scalar fold (no lane skipped or zeroed).
    func testNonFiniteValuesPropagateLikeTheFold() {
        var rng = SplitMix64(seed: 73)
        let m = 8, n = 20, k = 9
        var a = rng.floats(m * k), b = rng.floats(k * n)
        a[3 * k + 2] = .nan
        b[4 * n + 17] = .infinity
        let packed = PackedMatrix(a, rows: m, depth: k)
        var fast = [Float](repeating: 0, count: m * n), naive = fast
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: PackedMatrix.scratchCount)
        defer { scratch.deallocate() }
        b.withUnsafeBufferPointer { bp in
            fast.withUnsafeMutableBufferPointer { packed.multiplyAdd(bp.baseAddress!, ldb: n, columns: n, into: $0.baseAddress!, ldc: n, scratch: scratch) }
            a.withUnsafeBufferPointer { ap in
                naive.withUnsafeMutableBufferPointer {
                    PackedMatrix.multiplyAddNaive(a: ap.baseAddress!, lda: k, rows: m, depth: k, bp.baseAddress!, ldb: n, columns: n,
                                                  into: $0.baseAddress!, ldc: n)
                }
            }
        }
        XCTAssertEqual(fast.filter(\.isNaN).count, naive.filter(\.isNaN).count)
        XCTAssertGreaterThanOrEqual(fast.filter(\.isNaN).count, n, "row 3 is NaN throughout")
        for (x, y) in zip(fast, naive) { XCTAssertTrue(x.isNaN ? y.isNaN : x == y) }
    }
}
