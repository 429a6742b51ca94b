import Foundation
import TestSupport
import XCTest
@testable import ImageInput
#if canImport(Glibc)
import Glibc
#endif

/// The one input reader: regular files only, the signature looked at before the body, a size limit, bounded
/// memory. Each test is the failure it prevents (a hang on a FIFO, endless reading of /dev/zero, a big non-image
/// read whole).
final class BoundedFileTests: XCTestCase {
    private var dir: URL!
    override func setUp() { dir = TestPaths.temporaryDirectory("bounded") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    private func readError(_ path: String, maxBytes: Int = BoundedFile.defaultMaxBytes,
                           check: (UnsafeRawBufferPointer) throws -> Void = { _ in }) -> Error? {
        do { _ = try BoundedFile.read(path: path, name: path, maxBytes: maxBytes, checkSignature: check); return nil } catch { return error }
    }

    /// The peak resident set size of this process, in bytes.
    private func peakRSS() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }

    func testReadsARegularFileWhole() throws {
        let url = dir.appendingPathComponent("a.bin")
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try Data(bytes).write(to: url)
        var seen: [UInt8] = []
        let read = try BoundedFile.read(path: url.path, name: "a.bin") { seen = Array($0) }
        XCTAssertEqual(read, bytes)
        XCTAssertEqual(seen, Array(bytes.prefix(BoundedFile.defaultSignatureLength)))
        // Exactly at the limit is accepted; a file shorter than the signature length shows all of itself.
        XCTAssertEqual(try BoundedFile.read(path: url.path, name: "a.bin", maxBytes: bytes.count), bytes)
        let tiny = dir.appendingPathComponent("tiny")
        try Data([1, 2, 3]).write(to: tiny)
        _ = try BoundedFile.read(path: tiny.path, name: "tiny") { seen = Array($0) }
        XCTAssertEqual(seen, [1, 2, 3])
    }

    /// A FIFO with no writer used to block `open(2)` forever; it is refused from `stat(2)` at once.
    func testFIFOIsRefusedWithoutBlocking() throws {
        let fifo = dir.appendingPathComponent("photo.jpg").path
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let t0 = Date()
        XCTAssertEqual(readError(fifo) as? BoundedFileError, .notRegularFile(file: fifo, kind: "FIFO"))
        XCTAssertLessThan(Date().timeIntervalSince(t0), 30, "returned, not blocked (a generous bound: tests check behaviour, not speed)")
        XCTAssertEqual("\(BoundedFileError.notRegularFile(file: fifo, kind: "FIFO"))", "\(fifo): is a FIFO, not a regular file")
    }

    /// `/dev/zero` used to be read until memory ran out.
    func testDevicesAreRefused() {
        XCTAssertEqual(readError("/dev/zero") as? BoundedFileError, .notRegularFile(file: "/dev/zero", kind: "character device"))
        XCTAssertEqual(readError("/dev/null") as? BoundedFileError, .notRegularFile(file: "/dev/null", kind: "character device"))
    }

    func testMissingFolderAndEmpty() throws {
        let missing = dir.appendingPathComponent("nope").path
        XCTAssertEqual(readError(missing) as? BoundedFileError, .missingFile(file: missing))
        XCTAssertEqual(readError(dir.path) as? BoundedFileError, .isDirectory(file: dir.path))
        let empty = dir.appendingPathComponent("empty")
        try Data().write(to: empty)
        XCTAssertEqual(readError(empty.path) as? BoundedFileError, .empty(file: empty.path))
    }

    /// A symbolic link to a regular file is an ordinary input.
    func testSymlinkToARegularFileIsRead() throws {
        let target = dir.appendingPathComponent("t")
        try Data([9, 8, 7]).write(to: target)
        let link = dir.appendingPathComponent("l").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target.path)
        XCTAssertEqual(try BoundedFile.read(path: link, name: "l"), [9, 8, 7])
    }

    func testOverTheLimitIsRefusedNamingIt() throws {
        let url = dir.appendingPathComponent("big")
        try Data(count: 5000).write(to: url)
        XCTAssertEqual(readError(url.path, maxBytes: 4999) as? BoundedFileError, .tooLarge(file: url.path, bytes: 5000, limit: 4999))
        XCTAssertEqual("\(BoundedFileError.tooLarge(file: "big", bytes: 5000, limit: 4999))", "big: file too large (5000 bytes, limit 4999 bytes)")
    }

    /// A 1 GiB file (sparse: no disk used) whose first bytes are refused costs one small read: fast, and no
    /// gigabyte buffer (peak memory grows by far less than the file). Reading it whole first was the old way.
    func testSignatureIsCheckedBeforeTheBodyIsRead() throws {
        let url = dir.appendingPathComponent("huge.jpg")
        FileManager.default.createFile(atPath: url.path, contents: nil)
        let fd = open(url.path, O_WRONLY)
        XCTAssertEqual(ftruncate(fd, 1 << 30), 0)
        close(fd)
        struct Refused: Error {}
        var seen = 0
        let before = peakRSS(), t0 = Date()
        XCTAssertTrue(readError(url.path, maxBytes: 2 << 30) { seen = $0.count; throw Refused() } is Refused)
        XCTAssertLessThan(Date().timeIntervalSince(t0), 30, "returned, not blocked (a generous bound: tests check behaviour, not speed)")
        XCTAssertEqual(seen, BoundedFile.defaultSignatureLength)
        XCTAssertLessThan(peakRSS() - before, 64 << 20)
        // Under the default limit the same file is refused by its size, still without reading the body.
        XCTAssertEqual(readError(url.path) as? BoundedFileError, .tooLarge(file: url.path, bytes: 1 << 30, limit: BoundedFile.defaultMaxBytes))
    }

    /// Through the decoder: megabytes of zeros named .jpg are "not an image" from the first bytes; a FIFO, a device
    /// and a file over `maxBytes` get their own one-line errors.
    func testImageDecoderUsesTheReader() throws {
        let zeros = dir.appendingPathComponent("zeros.jpg")
        try Data(count: 4 << 20).write(to: zeros)
        XCTAssertThrowsError(try ImageDecoder.decode(contentsOf: zeros)) {
            XCTAssertEqual($0 as? ImageInputError, .notAnImage(file: zeros.relativePath))
        }
        let fifo = dir.appendingPathComponent("f.png")
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        XCTAssertThrowsError(try ImageDecoder.decode(contentsOf: fifo)) {
            XCTAssertEqual($0 as? ImageInputError, .notRegularFile(file: fifo.relativePath, kind: "FIFO"))
            XCTAssertEqual("\($0)", "\(fifo.relativePath): is a FIFO, not a regular image file")
        }
        XCTAssertThrowsError(try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: "/dev/zero"))) {
            XCTAssertEqual($0 as? ImageInputError, .notRegularFile(file: "/dev/zero", kind: "character device"))
        }
        let gif = dir.appendingPathComponent("a.gif")
        try (Data("GIF89a".utf8) + Data(count: 1 << 20)).write(to: gif)
        XCTAssertThrowsError(try ImageDecoder.decode(contentsOf: gif)) {
            XCTAssertEqual($0 as? ImageInputError, .unsupportedFormat(file: gif.relativePath, what: "GIF"))
        }
        let photo = TestPaths.fixtures.appendingPathComponent("FaceAlignment/Aaron_Guiel_0001.jpg")
        let size = try FileManager.default.attributesOfItem(atPath: photo.path)[.size] as! Int
        XCTAssertThrowsError(try ImageDecoder.decode(contentsOf: photo, limits: ImageLimits(maxBytes: 1000))) {
            XCTAssertEqual($0 as? ImageInputError, .fileTooLarge(file: photo.relativePath, bytes: size, limit: 1000))
        }
        XCTAssertNoThrow(try ImageDecoder.decode(contentsOf: photo, limits: ImageLimits(maxBytes: size)))
    }
}
