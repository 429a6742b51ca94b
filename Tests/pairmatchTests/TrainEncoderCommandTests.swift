@testable import pairmatch
import Foundation
import TestSupport
import WeightStore
import XCTest

/// `train-encoder` as a user runs it: the binary in a child process, on a synthetic glyph domain.
final class TrainEncoderCommandTests: XCTestCase {
    var root: URL!
    var data: URL { root.appendingPathComponent("glyphs") }

    override func setUpWithError() throws {
        root = TestPaths.temporaryDirectory("train-encoder")
        try GlyphDomain.write(to: data, classes: 30, images: 6, size: 24)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func args(_ out: String, epochs: Int = 3) -> [String] {
        ["train-encoder", data.path, "-o", root.appendingPathComponent(out).path, "--input", "24", "--classes-per-batch", "8",
         "--per-class", "4", "--batches-per-epoch", "8", "--epochs", "\(epochs)", "--val-classes", "10", "--way", "5",
         "--episodes", "50", "--augment", "--seed", "3"]
    }

    func fingerprint(_ name: String) throws -> String {
        try WeightArchive.read(from: root.appendingPathComponent(name)).string("fingerprint")
    }

    func testHelpNamesEveryOption() {
        let help = Pairmatch.helpMessage(for: TrainEncoderCommand.self, columns: 100)
        XCTAssertTrue(help.hasPrefix("OVERVIEW: Train an image encoder from a folder per class (triplet loss or the binary siamese"), help)
        XCTAssertTrue(help.contains("--input <size>          Input size in pixels: W or WxH. (default: 28)"), help)
        for option in ["--arch <arch>", "--input <size>", "--channels <channels>", "--dim <n>", "--loss <loss>", "--margin <α>",
                       "--mining <mining>", "--classes-per-batch <p>", "--per-class <k>", "--epochs <n>", "--lr <lr>",
                       "--optimizer <optimizer>", "--augment", "--rotations-as-classes", "--val <dir>", "--val-classes <n>",
                       "--seed <n>", "--threads <n>", "--resume", "--from <file>", "--train-layers <n>", "--log <file>"] {
            XCTAssertTrue(help.contains(option), "help lacks \(option)")
        }
        XCTAssertTrue(help.contains("(values: conv4, resnet; default: conv4)"), help)
        XCTAssertTrue(help.contains("(values: triplet, binary; default: triplet)"), help)
    }

    /// A run killed with SIGKILL and resumed ends with the encoder of an uninterrupted run, bit for bit.
    func testKilledRunResumesToTheSameEncoder() throws {
        let straight = try CLIRunner.run(args("straight.h5", epochs: 4))
        XCTAssertEqual(straight.status, 0, straight.stderr)
        XCTAssertTrue(straight.stdout.contains("epoch 4/4"), straight.stdout)

        let p = Process()
        p.executableURL = CLIRunner.binary
        p.arguments = args("killed.h5", epochs: 4) + ["--threads", "1"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let checkpoint = root.appendingPathComponent("killed.checkpoint.h5")
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpoint.path) && Date() < deadline && p.isRunning { usleep(20_000) }
        usleep(300_000)                       // somewhere inside the second epoch (or later)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .uncaughtSignal, "the run finished before it could be killed")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("killed.h5").path))

        let resumed = try CLIRunner.run(args("killed.h5", epochs: 4) + ["--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try fingerprint("killed.h5"), try fingerprint("straight.h5"))
    }

    /// Ctrl-C (SIGINT) stops at a checkpoint with exit 130; --resume finishes the run.
    func testInterruptStopsCleanlyAtACheckpoint() throws {
        let p = Process()
        p.executableURL = CLIRunner.binary
        p.arguments = args("int.h5", epochs: 40)
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let checkpoint = root.appendingPathComponent("int.checkpoint.h5")
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpoint.path) && Date() < deadline { usleep(20_000) }
        kill(p.processIdentifier, SIGINT)
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 130, text)
        XCTAssertTrue(text.contains("--resume"), text)
        let again = try CLIRunner.run(args("int.h5", epochs: 40))
        XCTAssertEqual(again.status, 2, "a stopped run is not silently restarted")
        XCTAssertTrue(again.stderr.contains("--resume"), again.stderr)
    }

    func testBadInputsAreOneLineErrorsBeforeTraining() throws {
        // A class with one image (the triplet loss needs two).
        let lonely = data.appendingPathComponent("lonely")
        try FileManager.default.createDirectory(at: lonely, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: data.appendingPathComponent("class000/img00.png"), to: lonely.appendingPathComponent("a.png"))
        var r = try CLIRunner.run(args("bad.h5"))
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderrLines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("lonely") && r.stderr.contains("at least 2"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("bad.checkpoint.h5").path))
        try FileManager.default.removeItem(at: lonely)
        // An output that exists is not replaced without --force.
        try Data("keep".utf8).write(to: root.appendingPathComponent("exists.h5"))
        r = try CLIRunner.run(args("exists.h5"))
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("--force"), r.stderr)
        XCTAssertEqual(try String(contentsOf: root.appendingPathComponent("exists.h5"), encoding: .utf8), "keep")
        // Bad option values.
        r = try CLIRunner.run(["train-encoder", data.path, "-o", root.appendingPathComponent("x.h5").path, "--per-class", "1"])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("--per-class"), r.stderr)
        r = try CLIRunner.run(["train-encoder", root.appendingPathComponent("nowhere").path, "-o", root.appendingPathComponent("x.h5").path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("nowhere"), r.stderr)
    }
}
