@testable import WeightStore
import XCTest

final class TensorChecksumTests: XCTestCase {
    /// XXH64 (seed 0) reference values of the xxHash project.
    func testXXH64MatchesReferenceVectors() {
        func h(_ s: String) -> String { Array(s.utf8).withUnsafeBytes { TensorChecksum.hex(TensorChecksum.xxh64($0).0) } }
        XCTAssertEqual(h(""), "ef46db3751d8e999")
        XCTAssertEqual(h("abc"), "44bc2cf5ad770999")
        XCTAssertEqual(h("Nobody inspects the spammish repetition"), "fbcea83c8a378bf1")
    }

    /// Every position of the fused pass (32-byte stripes, 8-byte and 4-byte tails) finds NaN and ±∞, and no
    /// finite value (largest, subnormal, negative zero) is flagged.
    func testFindsTheFirstNonFiniteValueAnywhere() {
        for count in [1, 2, 7, 8, 9, 15, 16, 17, 33] {
            let samples: [Float] = [.greatestFiniteMagnitude, -Float.leastNonzeroMagnitude, -0.0, 1e-40, -3.5]
            let finite = (0..<count).map { samples[$0 % 5] }
            XCTAssertNil(TensorChecksum.digest(finite).firstNonFinite, "\(count)")
            for index in 0..<count {
                for bad in [Float.nan, .infinity, -.infinity] {
                    var v = finite
                    v[index] = bad
                    XCTAssertEqual(TensorChecksum.digest(v).firstNonFinite, index, "\(count) \(index) \(bad)")
                }
            }
        }
    }

    func testAnyChangedBitChangesTheDigest() {
        let values = (0..<100).map { Float($0) * 0.25 }
        let base = TensorChecksum.digest(values).xxh64
        for i in [0, 50, 99] {
            var v = values
            v[i] = Float(bitPattern: v[i].bitPattern ^ 1)
            XCTAssertNotEqual(TensorChecksum.digest(v).xxh64, base)
        }
    }
}
