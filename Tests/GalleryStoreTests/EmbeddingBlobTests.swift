import FaceEmbedding
import Foundation
@testable import GalleryStore
import WeightStore
import XCTest

final class EmbeddingBlobTests: XCTestCase {
    func testRoundTripLittleEndianWithChecksum() {
        let e = Embedding([1, -2, .leastNonzeroMagnitude, -0.0, 3.25, .greatestFiniteMagnitude])
        let (vector, checksum) = EmbeddingBlob.encode(e)
        XCTAssertEqual(vector.count, 24)
        XCTAssertEqual(Array(vector.prefix(4)), [0x00, 0x00, 0x80, 0x3F])
        XCTAssertEqual(UInt64(bitPattern: checksum), TensorChecksum.digest(e.values).xxh64)
        guard case .success(let back) = EmbeddingBlob.decode(vector, checksum: checksum, dimension: 6) else { return XCTFail() }
        XCTAssertEqual(back.values.map(\.bitPattern), e.values.map(\.bitPattern), "bit for bit, −0 included")
    }

    func testEveryDamageIsRefusedAndLeavesTheMatrixUnchanged() {
        let e = Embedding([1, 2, 3, 4])
        let (vector, checksum) = EmbeddingBlob.encode(e)
        var flipped = vector
        flipped[5] ^= 0x40
        var matrix: [Float] = [9, 9, 9, 9]   // [1, 4]
        XCTAssertEqual(EmbeddingBlob.append(vector, checksum: checksum, dimension: 4, to: &matrix), nil)
        XCTAssertEqual(matrix, [9, 9, 9, 9, 1, 2, 3, 4])
        for (blob, sum, fragment) in [(vector.prefix(12), checksum, "12 bytes, expected 16"), (nil, checksum, "NULL"),
                                      (flipped, checksum, "checksum"), (vector, checksum ^ 1, "checksum")] as [(Data?, Int64, String)] {
            let reason = EmbeddingBlob.append(blob, checksum: sum, dimension: 4, to: &matrix)
            XCTAssertTrue(reason?.contains(fragment) ?? false, "\(reason ?? "accepted")")
            XCTAssertEqual(matrix.count, 8)
        }
        let (nan, nanSum) = EmbeddingBlob.encode(Embedding([1, .nan, 3, 4]))
        XCTAssertEqual(EmbeddingBlob.append(nan, checksum: nanSum, dimension: 4, to: &matrix), "component 1 is nan, not a finite number")
        XCTAssertEqual(matrix.count, 8)
    }
}
