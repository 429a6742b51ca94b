import XCTest
@testable import NetLayers
import TestSupport

/// The shared row routines against plain index arithmetic, for lengths around the SIMD widths.
final class RowKernelsTests: XCTestCase {
    func testCopySplitAndInterleave() {
        for count in [1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 35, 40, 64] {
            let row = (0..<count).map { Float($0) - 5 }                           // [count], some negative
            var copied = [Float](repeating: .nan, count: count)
            row.withUnsafeBufferPointer { r in
                copied.withUnsafeMutableBufferPointer { RowKernels.copy(r.baseAddress!, to: $0.baseAddress!, count: count) }
            }
            XCTAssertEqual(copied, row, "copy \(count)")

            let width = (count + 1) / 2 + 3                                       // 3 padding entries past the row
            var even = [Float](repeating: .nan, count: width), odd = even
            row.withUnsafeBufferPointer { r in
                even.withUnsafeMutableBufferPointer { e in
                    odd.withUnsafeMutableBufferPointer { o in
                        RowKernels.splitEvenOdd(r.baseAddress!, count: count, even: e.baseAddress!, odd: o.baseAddress!, width: width)
                    }
                }
            }
            XCTAssertEqual(even, (0..<width).map { 2 * $0 < count ? row[2 * $0] : 0 }, "even \(count)")
            XCTAssertEqual(odd, (0..<width).map { 2 * $0 + 1 < count ? row[2 * $0 + 1] : 0 }, "odd \(count)")

            let residual = (0..<count).map { Float($0 % 3) }
            for side in [2, 4] {
                // rows [side, stride]: row d holds the columns side·t + d of the row (NaN past it)
                let tiles = (count + side - 1) / side, stride = tiles + 3
                var rows = [Float](repeating: .nan, count: side * stride)
                for x in 0..<count { rows[(x % side) * stride + x / side] = row[x] }
                for relu in [false, true] {
                    for withResidual in [false, true] {
                        var out = [Float](repeating: .nan, count: count + 2)
                        var res = residual
                        rows.withUnsafeMutableBufferPointer { t in
                            res.withUnsafeMutableBufferPointer { r in
                                out.withUnsafeMutableBufferPointer {
                                    RowKernels.interleave(t.baseAddress!, rowStride: stride, side: side, into: $0.baseAddress!,
                                                          residual: withResidual ? r.baseAddress! : nil, relu: relu, count: count)
                                }
                            }
                        }
                        let expected = (0..<count).map { i -> Float in
                            let v = row[i] + (withResidual ? residual[i] : 0)
                            return relu ? max(v, 0) : v
                        }
                        assertBitwiseEqual(Array(out[..<count]), expected, "interleave \(count) side \(side) relu \(relu) residual \(withResidual)")
                        XCTAssertTrue(out[count].isNaN && out[count + 1].isNaN, "interleave \(count) side \(side) wrote past the row")
                    }
                }
            }
        }
    }
}
