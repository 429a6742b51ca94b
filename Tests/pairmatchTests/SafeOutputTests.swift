import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Outputs that must not be replaced are refused up front: exit 2, one line naming the output, before any work and
/// with nothing changed. "Before any work" is shown by `--models` naming a folder that does not exist: had the
/// command loaded a model first it would have failed with exit 3 instead.
final class SafeOutputTests: XCTestCase {
    private var dir: URL!
    override func setUp() { dir = TestPaths.temporaryDirectory("safe-output") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    private func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
    private var noModels: [String] { ["--models", path("no-models")] }

    /// A pairs file naming the committed chip twice.
    private func pairs() throws -> String {
        let p = path("pairs.csv")
        try Data("a,b,label\n\(CLIRunner.chip.path),\(CLIRunner.chip.path),1\n".utf8).write(to: URL(fileURLWithPath: p))
        return p
    }

    private func assertRefused(_ args: [String], naming output: String, _ cause: String,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let (r, timedOut) = try CLIRunner.run(args, timeout: 20)
        XCTAssertFalse(timedOut, "pairmatch \(args.joined(separator: " ")) hung", file: file, line: line)
        XCTAssertEqual(r.status, 2, r.stderr, file: file, line: line)
        XCTAssertEqual(r.stderrLines, ["pairmatch: error: \(output): \(cause)"], file: file, line: line)
    }

    /// The folder holds exactly `names` (no temporary or partial file left behind).
    private func assertFolder(_ names: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), names.sorted(), file: file, line: line)
    }

    /// `score pairs.csv -o pairs.csv` would have replaced the input with its own scores.
    func testOutputThatIsTheInputIsRefused() throws {
        let input = try pairs()
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        try assertRefused(["score", input, "-o", input, "--aligned"] + noModels, naming: input,
                          "output is also an input of this command; refusing to overwrite it")
        // Through another spelling of the same path, and as a hard link.
        XCTAssertEqual(link(input, path("hard.csv")), 0)
        try assertRefused(["score", input, "-o", path("hard.csv"), "--aligned"] + noModels, naming: path("hard.csv"),
                          "output is the input \(input); refusing to overwrite it")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: input)), before)
        // One of the images of the pairs file.
        let photo = path("photo.png")
        try FileManager.default.copyItem(atPath: CLIRunner.chip.path, toPath: photo)
        try Data("a,b\n\(photo),\(photo)\n".utf8).write(to: URL(fileURLWithPath: input))
        try assertRefused(["score", input, "-o", photo, "--aligned"] + noModels, naming: photo,
                          "output is also an input of this command; refusing to overwrite it")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: photo)), try Data(contentsOf: CLIRunner.chip))
        try assertFolder(["pairs.csv", "hard.csv", "photo.png"])
    }

    /// The rename replaced a symbolic link by a regular file (the link's target kept its old content).
    func testSymlinkOutputIsRefusedAndKept() throws {
        let input = try pairs()
        try Data("old".utf8).write(to: URL(fileURLWithPath: path("target.csv")))
        try FileManager.default.createSymbolicLink(atPath: path("link.csv"), withDestinationPath: path("target.csv"))
        let cause = "output is a symbolic link (to \(path("target.csv"))); name the file itself, not a link"
        try assertRefused(["score", input, "-o", path("link.csv"), "--aligned"] + noModels, naming: path("link.csv"), cause)
        try assertRefused(["train-head", input, "-o", path("link.csv"), "--aligned"] + noModels, naming: path("link.csv"), cause)
        try FileManager.default.createSymbolicLink(atPath: path("plot.svg"), withDestinationPath: path("target.csv"))
        try assertRefused(["eval", input, "--plot", path("plot.svg"), "--aligned"] + noModels, naming: path("plot.svg"), cause)
        try assertRefused(["enroll", "--gallery", path("link.csv"), "--name", "x", CLIRunner.chip.path] + noModels,
                          naming: path("link.csv"), cause)
        try assertRefused(["gallery", "remove", "--gallery", path("link.csv"), "x"], naming: path("link.csv"), cause)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: path("link.csv")), path("target.csv"))
        XCTAssertEqual(try String(contentsOfFile: path("target.csv"), encoding: .utf8), "old")
        try assertFolder(["pairs.csv", "target.csv", "link.csv", "plot.svg"])
    }

    /// As root, `score … -o /dev/null` replaced the machine's /dev/null with a regular file.
    func testDeviceOutputIsRefusedAndStaysADevice() throws {
        let input = try pairs()
        let cause = "output is a character device, not a regular file; refusing to replace it"
        try assertRefused(["score", input, "-o", "/dev/null", "--aligned"] + noModels, naming: "/dev/null", cause)
        try assertRefused(["train-head", input, "-o", "/dev/null", "--aligned"] + noModels, naming: "/dev/null", cause)
        try assertRefused(["score", input, "-o", path("out.csv"), "--cache", "/dev/null", "--aligned"] + noModels, naming: "/dev/null", cause)
        try assertRefused(["enroll", "--gallery", "/dev/null", "--name", "x", CLIRunner.chip.path] + noModels, naming: "/dev/null", cause)
        try assertRefused(["gallery", "remove", "--gallery", "/dev/null", "x"], naming: "/dev/null", cause)
        var st = stat()
        XCTAssertEqual(lstat("/dev/null", &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFCHR, "/dev/null is no longer a character device")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/dev/null.lock"))
        try assertFolder(["pairs.csv"])
    }

    /// `-o` naming a folder used to fail only after all the work.
    func testFolderOutputIsRefusedBeforeWork() throws {
        let input = try pairs()
        try FileManager.default.createDirectory(atPath: path("out"), withIntermediateDirectories: true)
        try assertRefused(["score", input, "-o", path("out"), "--aligned"] + noModels, naming: path("out"), "output is a folder; name a file")
        try assertRefused(["train-head", input, "-o", path("out"), "--aligned"] + noModels, naming: path("out"), "output is a folder; name a file")
        try FileManager.default.createDirectory(atPath: path("model.h5"), withIntermediateDirectories: true)
        try assertRefused(["train-encoder", path("data"), "-o", path("model.h5")], naming: path("model.h5"), "output is a folder; name a file")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path("out")), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path("model.h5")), [])
    }

    /// A FIFO as an output, and a FIFO as a gallery: refused at once (no hang on opening it).
    func testFIFOOutputsAreRefused() throws {
        let input = try pairs()
        XCTAssertEqual(mkfifo(path("fifo"), 0o644), 0)
        let cause = "output is a FIFO, not a regular file; refusing to replace it"
        try assertRefused(["score", input, "-o", path("fifo"), "--aligned"] + noModels, naming: path("fifo"), cause)
        try assertRefused(["gallery", "remove", "--gallery", path("fifo"), "x"], naming: path("fifo"), cause)
        try assertRefused(["enroll", "--gallery", path("fifo"), "--name", "x", CLIRunner.chip.path] + noModels, naming: path("fifo"), cause)
    }

    /// Folder outputs: `embed --chips` on a file, `models import --models` on a file; `-` where nothing streams;
    /// two outputs naming one file.
    func testFolderOutputsStdoutAndDuplicates() throws {
        let input = try pairs()
        try Data("x".utf8).write(to: URL(fileURLWithPath: path("file")))
        try assertRefused(["embed", "--chips", path("file"), CLIRunner.chip.path] + noModels, naming: path("file"),
                          "output folder is a regular file, not a folder")
        try assertRefused(["models", "import", "--from", dir.path, "--models", path("file")], naming: path("file"),
                          "output folder is a regular file, not a folder")
        for command in ["train-head", "score"] {   // neither streams: `-` used to create a file named "-"
            try assertRefused([command, input, "-o", "-", "--aligned"] + noModels, naming: "-",
                              "this output cannot be standard output; name a file (./- for a file named '-')")
        }
        try assertRefused(["score", input, "-o", path("o.csv"), "--cache", path("o.csv"), "--aligned"] + noModels, naming: path("o.csv"),
                          "given for two outputs of this command")
        XCTAssertEqual(try String(contentsOfFile: path("file"), encoding: .utf8), "x")
        try assertFolder(["pairs.csv", "file"])
    }
}
