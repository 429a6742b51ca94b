import Foundation
import TestSupport
import XCTest
@testable import WeightStore
#if canImport(Glibc)
import Glibc
#endif

/// Outputs that must never be replaced: a link, a folder, a device, a FIFO, an input. The atomic rename used to
/// replace whatever the path named (as root, `/dev/null` became a regular file).
final class OutputPathTests: XCTestCase {
    private var dir: URL!
    override func setUp() { dir = TestPaths.temporaryDirectory("outputpath") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    private func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    private func refusal(_ p: String, inputs: [String] = [], stdout: Bool = false) -> OutputPathError? {
        do { try OutputPath.checkFile(p, inputs: inputs, allowStdout: stdout); return nil } catch { return error as? OutputPathError }
    }

    func testNewAndRegularFilesAreAccepted() throws {
        XCTAssertNil(refusal(path("new.csv")))
        try Data("x".utf8).write(to: URL(fileURLWithPath: path("old.csv")))
        XCTAssertNil(refusal(path("old.csv"), inputs: [path("other.csv")]))
        XCTAssertEqual(try OutputPath.checkFile("-", allowStdout: true), .standardOutput)
    }

    func testLinksFoldersDevicesFIFOsAreRefused() throws {
        try Data("x".utf8).write(to: URL(fileURLWithPath: path("target")))
        try FileManager.default.createSymbolicLink(atPath: path("link"), withDestinationPath: path("target"))
        XCTAssertEqual(refusal(path("link")), .symbolicLink(path: path("link"), target: path("target")))
        XCTAssertEqual(refusal(dir.path), .isFolder(path: dir.path))
        XCTAssertEqual(refusal("/dev/null"), .special(path: "/dev/null", kind: "a character device"))
        XCTAssertEqual(mkfifo(path("fifo"), 0o644), 0)
        XCTAssertEqual(refusal(path("fifo")), .special(path: path("fifo"), kind: "a FIFO"))
        XCTAssertEqual(refusal(path("no/such/out.csv")), .missingFolder(path: path("no/such/out.csv"), folder: path("no/such")))
        XCTAssertEqual(refusal("-"), .standardOutputNotSupported)
        XCTAssertEqual("\(OutputPathError.special(path: "/dev/null", kind: "a character device"))",
                       "/dev/null: output is a character device, not a regular file; refusing to replace it")
    }

    /// The input by name, through another spelling of its path, through a hard link, or through a symlink to it.
    func testAnInputIsRefusedHoweverItIsNamed() throws {
        let input = path("pairs.csv")
        try Data("a,b\n".utf8).write(to: URL(fileURLWithPath: input))
        XCTAssertEqual(refusal(input, inputs: [input]), .isInput(path: input, input: input))
        let other = dir.path + "/./sub/../pairs.csv"
        try FileManager.default.createDirectory(atPath: path("sub"), withIntermediateDirectories: true)
        XCTAssertEqual(refusal(other, inputs: [input]), .isInput(path: other, input: input))
        XCTAssertEqual(link(input, path("hard.csv")), 0)
        XCTAssertEqual(refusal(path("hard.csv"), inputs: [input]), .isInput(path: path("hard.csv"), input: input))
        try FileManager.default.createSymbolicLink(atPath: path("in-link"), withDestinationPath: input)
        XCTAssertEqual(refusal(input, inputs: [path("in-link")]), .isInput(path: input, input: path("in-link")))
        // A missing input is compared by resolved path.
        XCTAssertEqual(refusal(path("sub/../ghost"), inputs: [path("ghost")]), .isInput(path: path("sub/../ghost"), input: path("ghost")))
    }

    func testDuplicateOutputsAndFolders() throws {
        XCTAssertThrowsError(try OutputPath.checkDistinct([path("a"), path("b"), path("sub/../a")]))
        try FileManager.default.createDirectory(atPath: path("sub"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try OutputPath.checkDistinct([path("a"), path("sub/../a")])) {
            XCTAssertEqual($0 as? OutputPathError, .duplicate(path: path("sub/../a"), other: path("a")))
        }
        XCTAssertNoThrow(try OutputPath.checkDistinct(["-", "-", path("a")]))
        XCTAssertNoThrow(try OutputPath.checkFolder(path("new-folder")))
        XCTAssertNoThrow(try OutputPath.checkFolder(path("sub")))
        try FileManager.default.createSymbolicLink(atPath: path("sub-link"), withDestinationPath: path("sub"))
        XCTAssertNoThrow(try OutputPath.checkFolder(path("sub-link")))
        try Data().write(to: URL(fileURLWithPath: path("file")))
        XCTAssertThrowsError(try OutputPath.checkFolder(path("file"))) {
            XCTAssertEqual($0 as? OutputPathError, .notAFolder(path: path("file"), what: "a regular file"))
        }
        try FileManager.default.createSymbolicLink(atPath: path("file-link"), withDestinationPath: path("file"))
        XCTAssertThrowsError(try OutputPath.checkFolder(path("file-link")))
        XCTAssertThrowsError(try OutputPath.checkFolder("/dev/null"))
    }

    /// `AtomicFile` itself never renames over a link (the link and its target stay as they were), and its
    /// temporary file is gone afterwards.
    func testAtomicFileDoesNotReplaceALink() throws {
        try Data("keep".utf8).write(to: URL(fileURLWithPath: path("target")))
        try FileManager.default.createSymbolicLink(atPath: path("link"), withDestinationPath: path("target"))
        XCTAssertThrowsError(try AtomicFile.write(Data("new".utf8), to: URL(fileURLWithPath: path("link"))))
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: path("link")), path("target"))
        XCTAssertEqual(try String(contentsOfFile: path("target"), encoding: .utf8), "keep")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["link", "target"])
        try AtomicFile.write(Data("new".utf8), to: URL(fileURLWithPath: path("target")))
        XCTAssertEqual(try String(contentsOfFile: path("target"), encoding: .utf8), "new")
    }
}
