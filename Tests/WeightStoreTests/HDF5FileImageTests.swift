import Foundation
import TestSupport
@testable import WeightStore
import XCTest

final class HDF5FileImageTests: XCTestCase {
    /// lookup3's published vectors (Jenkins' lookup3.c, driver5) for initval 0.
    func testLookup3MatchesReferenceVectors() {
        XCTAssertEqual(Array<UInt8>().withUnsafeBufferPointer(HDF5FileImage.lookup3), 0xdeadbeef)
        let text = Array("Four score and seven years ago".utf8)
        XCTAssertEqual(text.withUnsafeBufferPointer(HDF5FileImage.lookup3), 0x17770551)
    }

    /// A file written by `WeightArchive.write` (which reads back, so its checksum is valid): damaging the
    /// checksum and repairing it gives the original bytes back; anything that is not a v2/v3 superblock is left.
    func testRepairRestoresHDF5sOwnChecksum() throws {
        let folder = TestPaths.temporaryDirectory("hdf5-image")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("a.h5")
        var archive = WeightArchive(kind: "pairmatch.test", formatVersion: 1)
        archive.set(Tensor(shape: [3], values: [1, 2, 3]), at: "x")
        try archive.write(to: url)
        let original = [UInt8](try Data(contentsOf: url))
        XCTAssertTrue(original[8] == 2 || original[8] == 3, "superblock version \(original[8])")
        let at = 12 + 4 * Int(original[9])
        var damaged = original
        for i in at..<(at + 4) { damaged[i] ^= 0x5A }
        XCTAssertTrue(HDF5FileImage.repairSuperblockChecksum(&damaged))
        XCTAssertEqual(damaged, original)

        var notHDF5 = [UInt8](repeating: 7, count: 64)
        XCTAssertFalse(HDF5FileImage.repairSuperblockChecksum(&notHDF5))
        XCTAssertEqual(notHDF5, [UInt8](repeating: 7, count: 64))
    }
}
