import Foundation
import TestSupport
@testable import WeightStore
import XCTest

/// A damaged file is an error naming the file and the tensor, never a silently different tensor.
final class WeightArchiveIntegrityTests: XCTestCase {
    private var folder: URL!

    override func setUp() { folder = TestPaths.temporaryDirectory("weightstore-integrity") }
    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    /// Tensors `a` [1000] (distinct values) and `b` [3].
    private func sample() -> WeightArchive {
        var a = WeightArchive(kind: "pairmatch.test", formatVersion: 1)
        a.set(Tensor(shape: [1000], values: (0..<1000).map { Float($0) * 0.001 + 1 }), at: "layers/a")
        a.set(Tensor(shape: [3], values: [1, 2, 3]), at: "b")
        a.set(attribute: "note", .string("x"), on: "layers/a")
        return a
    }

    /// Flips one bit of element `element` of `values` inside the file's bytes (located by content).
    static func flipBit(in url: URL, of values: [Float], element: Int) throws {
        var bytes = [UInt8](try Data(contentsOf: url))
        let pattern = values.withUnsafeBytes { [UInt8]($0) }
        guard let start = (0...(bytes.count - pattern.count)).first(where: { bytes[$0..<$0 + pattern.count].elementsEqual(pattern) }) else {
            return XCTFail("tensor bytes not found in \(url.path)")
        }
        bytes[start + 4 * element] ^= 0x04
        try Data(bytes).write(to: url)
    }

    func testWrittenFilesCarryChecksumsThatAreVerifiedAndHidden() throws {
        let url = folder.appendingPathComponent("w.h5")
        try sample().write(to: url)
        let b = try WeightArchive.read(from: url)
        XCTAssertTrue(b.checksumsVerified)
        XCTAssertEqual(b.attributeNames(), [])
        XCTAssertEqual(b.attributeNames(on: "layers/a"), ["note"])
        XCTAssertEqual(try b.tensor("layers/a"), try sample().tensor("layers/a"))
        // Read and written again: the same file content, still verified.
        try b.write(to: url)
        XCTAssertTrue(try WeightArchive.read(from: url).checksumsVerified)
    }

    /// Before: a flipped bit in the data was returned as a different weight.
    func testAFlippedBitInATensorIsAChecksumErrorNamingFileAndTensor() throws {
        let url = folder.appendingPathComponent("w.h5")
        try sample().write(to: url)
        try Self.flipBit(in: url, of: try sample().tensor("layers/a").values, element: 500)
        XCTAssertThrowsError(try WeightArchive.read(from: url)) { error in
            guard case .checksumMismatch(let path, let tensor, _, _)? = error as? WeightStoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
            XCTAssertEqual(tensor, "layers/a")
            XCTAssertTrue("\(error)".contains("w.h5") && "\(error)".contains("layers/a") && !"\(error)".contains("\n"), "\(error)")
        }
    }

    /// Before: a NaN weight was accepted.
    func testNonFiniteValuesAreRefusedNamingTheTensorAndElement() throws {
        let url = folder.appendingPathComponent("w.h5")
        for bad in [Float.nan, .infinity, -.infinity] {
            var a = sample()
            a.set(Tensor(shape: [3], values: [1, bad, 3]), at: "b")
            try a.write(to: url)
            XCTAssertThrowsError(try WeightArchive.read(from: url)) { error in
                XCTAssertEqual(error as? WeightStoreError, .nonFinite(path: url.path, tensor: "b", index: 1))
            }
            try a.writeWithoutChecksums(to: url)   // old files too
            XCTAssertThrowsError(try WeightArchive.read(from: url)) { error in
                XCTAssertEqual(error as? WeightStoreError, .nonFinite(path: url.path, tensor: "b", index: 1))
            }
        }
    }

    /// Files written before checksums still load, reported once per path to `UncheckedFiles`.
    func testOldFilesWithoutChecksumsLoadAndAreReportedOnce() throws {
        final class Seen: @unchecked Sendable { let lock = NSLock(); var list: [String] = [] }
        let seen = Seen()
        UncheckedFiles.setHandler { path, kind in seen.lock.lock(); seen.list.append("\(kind) \(path)"); seen.lock.unlock() }
        let url = folder.appendingPathComponent("old.h5")
        try sample().writeWithoutChecksums(to: url)
        let b = try WeightArchive.read(from: url, kind: "pairmatch.test")
        _ = try WeightArchive.read(from: url)
        XCTAssertFalse(b.checksumsVerified)
        XCTAssertEqual(try b.tensor("layers/a"), try sample().tensor("layers/a"))
        XCTAssertEqual(seen.list, ["pairmatch.test \(url.path)"])
        // A checked file is not reported.
        let fresh = folder.appendingPathComponent("new.h5")
        try sample().write(to: fresh)
        _ = try WeightArchive.read(from: fresh)
        XCTAssertEqual(seen.list.count, 1)
    }
}
