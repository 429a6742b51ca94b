import Foundation
import TestSupport
import WeightStore
import XCTest

final class WeightArchiveTests: XCTestCase {
    private var folder: URL!

    override func setUp() { folder = TestPaths.temporaryDirectory("weightstore") }
    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    private func sample() -> WeightArchive {
        var a = WeightArchive(kind: "pairmatch.test", formatVersion: 1)
        a.set(Tensor(shape: [2, 3, 1, 2], values: (0..<12).map { Float($0) * 0.5 - 2 }), at: "encoder/conv1/weight")
        a.set(Tensor(shape: [3], values: [1, -1, .pi]), at: "/encoder/conv1/bias/")
        a.set(Tensor(shape: [], values: [42]), at: "scalar")
        a.set(Tensor(shape: [0, 4], values: []), at: "empty")
        a.set(attribute: "source_sha256", .string("abc123"))
        a.set(attribute: "note", .string(""))
        a.set(attribute: "count", .integer(-7))
        a.set(attribute: "scale", .float(1.0 / 256))
        a.set(attribute: "kernel", .integers([3, 3]), on: "encoder/conv1")
        a.set(attribute: "none", .integers([]), on: "encoder/conv1")
        a.set(attribute: "mean", .floats([122.782, 117.001, 104.298]), on: "encoder")
        a.set(attribute: "unit", .string("pixels ✓"), on: "encoder/conv1/weight")
        return a
    }

    func testRoundTripKeepsTensorsAndAttributes() throws {
        let url = folder.appendingPathComponent("w.h5")
        let a = sample()
        try a.write(to: url)
        let b = try WeightArchive.read(from: url, kind: "pairmatch.test")
        XCTAssertEqual(b.kind, "pairmatch.test")
        XCTAssertEqual(b.formatVersion, 1)
        XCTAssertEqual(b.tensorPaths, ["empty", "encoder/conv1/bias", "encoder/conv1/weight", "scalar"])
        for p in a.tensorPaths { XCTAssertEqual(try b.tensor(p), try a.tensor(p), p) }
        XCTAssertEqual(try b.string("source_sha256"), "abc123")
        XCTAssertEqual(try b.string("note"), "")
        XCTAssertEqual(try b.integer("count"), -7)
        XCTAssertEqual(try b.float("scale"), 1.0 / 256)
        XCTAssertEqual(try b.integers("kernel", on: "encoder/conv1"), [3, 3])
        XCTAssertEqual(try b.integers("none", on: "encoder/conv1"), [])
        XCTAssertEqual(try b.floats("mean", on: "/encoder"), [122.782, 117.001, 104.298])
        XCTAssertEqual(try b.string("unit", on: "encoder/conv1/weight"), "pixels ✓")
        XCTAssertEqual(b.attributeNames(), ["count", "note", "scale", "source_sha256"])
    }

    func testExpectedShapeIsChecked() throws {
        let url = folder.appendingPathComponent("w.h5")
        try sample().write(to: url)
        let b = try WeightArchive.read(from: url)
        XCTAssertNoThrow(try b.tensor("encoder/conv1/weight", shape: [2, 3, 1, 2]))
        XCTAssertThrowsError(try b.tensor("encoder/conv1/weight", shape: [2, 3, 2, 1])) { error in
            XCTAssertEqual(error as? WeightStoreError,
                           .shapeMismatch(path: url.path, tensor: "encoder/conv1/weight", expected: [2, 3, 2, 1], found: [2, 3, 1, 2]))
            XCTAssertTrue("\(error)".contains("w.h5"))
        }
        XCTAssertThrowsError(try b.tensor("encoder/conv2/weight")) { error in
            XCTAssertEqual(error as? WeightStoreError, .missingTensor(path: url.path, tensor: "encoder/conv2/weight"))
        }
        XCTAssertThrowsError(try b.integer("scale")) { error in
            XCTAssertEqual(error as? WeightStoreError, .attributeType(path: url.path, object: "/", name: "scale", expected: "an integer"))
        }
        XCTAssertThrowsError(try b.string("absent"))
    }

    func testKindAndVersionAreChecked() throws {
        let url = folder.appendingPathComponent("w.h5")
        var a = sample()
        a.formatVersion = 7
        try a.write(to: url)
        XCTAssertThrowsError(try WeightArchive.read(from: url)) { error in
            XCTAssertEqual(error as? WeightStoreError, .unknownFormatVersion(path: url.path, found: 7, supported: 1...1))
        }
        XCTAssertNoThrow(try WeightArchive.read(from: url, supportedVersions: 1...7))
        XCTAssertThrowsError(try WeightArchive.read(from: url, kind: "pairmatch.head", supportedVersions: 1...7)) { error in
            XCTAssertEqual(error as? WeightStoreError, .wrongKind(path: url.path, expected: "pairmatch.head", found: "pairmatch.test"))
        }
    }

    func testBadFilesGiveTypedErrors() throws {
        let missing = folder.appendingPathComponent("missing.h5")
        XCTAssertThrowsError(try WeightArchive.read(from: missing)) { XCTAssertEqual($0 as? WeightStoreError, .missingFile(path: missing.path)) }

        XCTAssertThrowsError(try WeightArchive.read(from: folder)) {
            XCTAssertEqual($0 as? WeightStoreError, .unreadable(path: folder.path, reason: "is a directory"))
        }

        let empty = folder.appendingPathComponent("empty.h5")
        FileManager.default.createFile(atPath: empty.path, contents: Data())
        XCTAssertThrowsError(try WeightArchive.read(from: empty)) { XCTAssertEqual($0 as? WeightStoreError, .notHDF5(path: empty.path)) }

        let text = folder.appendingPathComponent("text.h5")
        try Data("this is not HDF5\n".utf8).write(to: text)
        XCTAssertThrowsError(try WeightArchive.read(from: text)) { XCTAssertEqual($0 as? WeightStoreError, .notHDF5(path: text.path)) }

        // A real file cut in half: HDF5 finds its signature but not its end.
        let good = folder.appendingPathComponent("good.h5")
        var big = sample()
        big.set(Tensor(shape: [4096], values: [Float](repeating: 1, count: 4096)), at: "big")
        try big.write(to: good)
        let bytes = try Data(contentsOf: good)
        let truncated = folder.appendingPathComponent("truncated.h5")
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        XCTAssertThrowsError(try WeightArchive.read(from: truncated)) {
            XCTAssertEqual($0 as? WeightStoreError, .truncated(path: truncated.path))
        }

        // An HDF5 file that is not one of ours: no `kind`.
        // (Written by writing an archive, then checking a foreign-kind read; a kind-less file is made by h5py in
        // the wild; here we check the message names the attribute.)
        XCTAssertEqual(WeightStoreError.missingAttribute(path: "x.h5", object: "/", name: "kind").description,
                       "x.h5: missing attribute 'kind' on '/'")
    }

    func testFailedWriteKeepsThePreviousFile() throws {
        let url = folder.appendingPathComponent("w.h5")
        try sample().write(to: url)
        let before = try Data(contentsOf: url)

        // A writer that fails half-way: the destination must be untouched and no temporary file left.
        struct Boom: Error {}
        XCTAssertThrowsError(try AtomicFile.replace(url) { tmp in
            try Data("partial".utf8).write(to: tmp)
            throw Boom()
        })
        XCTAssertEqual(try Data(contentsOf: url), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["w.h5"])

        // An archive whose tensor cannot be created (a path through a tensor) fails inside HDF5.
        var bad = sample()
        bad.set(Tensor(shape: [1], values: [1]), at: "scalar/child")
        XCTAssertThrowsError(try bad.write(to: url)) { error in
            guard case .writeFailed(let path, _)? = error as? WeightStoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
        }
        XCTAssertEqual(try Data(contentsOf: url), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["w.h5"])
        XCTAssertNoThrow(try WeightArchive.read(from: url))
    }

    /// A write that runs out of room (here a file-size limit, as a full disk would) is a `writeFailed` error
    /// naming the destination; the previous file and nothing else is left, and HDF5 holds no half-written file
    /// (it used to crash the process at exit after such an error).
    func testWritePastAFileSizeLimitFailsCleanly() throws {
        let url = folder.appendingPathComponent("w.h5")
        try sample().write(to: url)
        let before = try Data(contentsOf: url)
        var big = sample()
        big.set(Tensor(shape: [100_000], values: [Float](repeating: 0.25, count: 100_000)), at: "big")   // 400 kB

        let previousHandler = signal(SIGXFSZ, SIG_IGN)                  // EFBIG instead of being killed
        var saved = rlimit()
        XCTAssertEqual(getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved), 0)
        var limited = saved
        limited.rlim_cur = 64 * 1024
        XCTAssertEqual(setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limited), 0)
        defer {
            _ = setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
            signal(SIGXFSZ, previousHandler)
        }
        XCTAssertThrowsError(try big.write(to: url)) { error in
            guard case .writeFailed(let path, let reason)? = error as? WeightStoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
            XCTAssertTrue(reason.contains("write failed after"), reason)
        }
        XCTAssertEqual(try Data(contentsOf: url), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["w.h5"])

        _ = setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        try big.write(to: url)                                          // and with room it succeeds
        XCTAssertEqual(try WeightArchive.read(from: url).tensor("big", shape: [100_000]).values.first, 0.25)
    }

    func testWriteIntoMissingFolderFails() {
        let url = folder.appendingPathComponent("nope/w.h5")
        XCTAssertThrowsError(try sample().write(to: url)) { error in
            guard case .writeFailed? = error as? WeightStoreError else { return XCTFail("\(error)") }
        }
    }
}

final class LargeAttributeTests: XCTestCase {
    /// Attributes past HDF5's 64 KiB compact-storage limit (e.g. a gallery's or cache's key list) still round-trip.
    func testLargeStringAndArrayAttributes() throws {
        let folder = TestPaths.temporaryDirectory("weightstore-large")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("big.h5")
        var a = WeightArchive(kind: "pairmatch.test", formatVersion: 1)
        let text = String(repeating: "Ünïcode name, ", count: 100_000)
        a.set(attribute: "names", .string(text))
        a.set(attribute: "ids", .integers((0..<200_000).map { Int64($0) }), on: "group")
        try a.write(to: url)
        let b = try WeightArchive.read(from: url)
        XCTAssertEqual(try b.string("names"), text)
        XCTAssertEqual(try b.integers("ids", on: "group").count, 200_000)
    }
}
