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
        let straight = try CLIRunner.run(args("straight.h5", epochs: 12))
        XCTAssertEqual(straight.status, 0, straight.stderr)
        XCTAssertTrue(straight.stdout.contains("epoch 12/12"), straight.stdout)

        let p = Process()
        p.executableURL = CLIRunner.binary
        p.arguments = args("killed.h5", epochs: 12) + ["--threads", "1"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let checkpoint = root.appendingPathComponent("killed.checkpoint.h5")
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpoint.path) && Date() < deadline && p.isRunning { usleep(2_000) }
        kill(p.processIdentifier, SIGKILL)    // in the second epoch (after the first checkpoint)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .uncaughtSignal, "the run finished before it could be killed")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("killed.h5").path))

        let resumed = try CLIRunner.run(args("killed.h5", epochs: 12) + ["--resume"])
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

    /// A trained whole-image encoder through the jobs people already use: compare, embed, enroll, identify,
    /// verify, with the head train-encoder wrote beside it; a gallery of that encoder refuses another encoder.
    func testTrainedEncoderWorksThroughCompareEnrollIdentify() throws {
        let train = try CLIRunner.run(args("enc.h5", epochs: 6))
        XCTAssertEqual(train.status, 0, train.stderr)
        let enc = root.appendingPathComponent("enc.h5").path
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("enc.head.h5").path))
        func img(_ c: Int, _ i: Int) -> String { data.appendingPathComponent(String(format: "class%03d/img%02d.png", c, i)).path }

        let embed = try CLIRunner.run(["embed", "--encoder", enc, "--json", img(0, 0)])
        XCTAssertEqual(embed.status, 0, embed.stderr)
        let e = try JSONSerialization.jsonObject(with: Data(embed.stdout.utf8)) as! [String: Any]
        let face = (e["faces"] as! [[String: Any]])[0]
        XCTAssertEqual(face["box"] as! [Int], [0, 0, 23, 23], "the whole image is the one face")
        XCTAssertEqual((face["embedding"] as! [Double]).count, 64)

        func probability(_ a: String, _ b: String) throws -> Double {
            let r = try CLIRunner.run(["compare", "--encoder", enc, "--json", a, b])
            XCTAssertEqual(r.status, 0, r.stderr)
            return (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any])["probability"] as! Double
        }
        var same = 0.0, different = 0.0
        for c in 0..<5 { same += try probability(img(c, 0), img(c, 1)); different += try probability(img(c, 0), img(c + 5, 1)) }
        XCTAssertGreaterThan(same, different, "same-class pairs score higher than different-class pairs")

        // One-shot: enrol one image of each of 8 classes, identify another image of each.
        let folders = root.appendingPathComponent("people")
        for c in 0..<8 {
            let dir = folders.appendingPathComponent(String(format: "c%d", c))
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: img(c, 0), toPath: dir.appendingPathComponent("a.png").path)
        }
        let gallery = root.appendingPathComponent("people.h5").path
        let enroll = try CLIRunner.run(["enroll", "--encoder", enc, "--gallery", gallery, "--from-folders", folders.path])
        XCTAssertEqual(enroll.status, 0, enroll.stderr)
        let identify = try CLIRunner.run(["identify", "--encoder", enc, "--gallery", gallery, "--json", "--top", "1"] + (0..<8).map { img($0, 2) })
        XCTAssertTrue([0, 1].contains(identify.status), identify.stderr)
        let lines = identify.jsonLines()
        XCTAssertEqual(lines.count, 8, identify.stdout)
        let top = lines.map { (((($0["faces"] as? [[String: Any]])?.first?["matches"]) as? [[String: Any]])?.first?["name"] as? String) ?? "(none)" }
        let correct = zip(top, 0..<8).filter { $0 == "c\($1)" }.count
        XCTAssertGreaterThanOrEqual(correct, 5, "\(top)")
        let verify = try CLIRunner.run(["verify", "--encoder", enc, "--gallery", gallery, "--name", "c1", img(1, 3)])
        XCTAssertTrue([0, 1].contains(verify.status), verify.stderr)

        // The face encoder is refused on this gallery, naming both fingerprints.
        let models = try CLIRunner.models()
        let mixed = try CLIRunner.run(["identify", "--gallery", gallery, "--models", models.path, img(0, 1)])
        XCTAssertEqual(mixed.status, 3, mixed.stderr)
        XCTAssertEqual(mixed.stderrLines.count, 1, mixed.stderr)
        // --jitter is for face chips.
        let jitter = try CLIRunner.run(["compare", "--encoder", enc, "--jitter", "3", img(0, 0), img(0, 1)])
        XCTAssertEqual(jitter.status, 64, jitter.stderr)
    }

    /// A pairs file scored, a head trained and evaluated with a trained whole-image encoder.
    func testTrainHeadScoreAndEvalTakeTheEncoder() throws {
        let train = try CLIRunner.run(args("enc2.h5", epochs: 4))
        XCTAssertEqual(train.status, 0, train.stderr)
        let enc = root.appendingPathComponent("enc2.h5").path
        var csv = "a,b,label\n"
        for c in 0..<15 {
            csv += String(format: "glyphs/class%03d/img00.png,glyphs/class%03d/img01.png,1\n", c, c)
            csv += String(format: "glyphs/class%03d/img02.png,glyphs/class%03d/img03.png,0\n", c, (c + 7) % 30)
        }
        let pairs = root.appendingPathComponent("pairs.csv")
        try csv.write(to: pairs, atomically: true, encoding: .utf8)
        let head = root.appendingPathComponent("mine.head.h5").path
        let th = try CLIRunner.run(["train-head", pairs.path, "--encoder", enc, "-o", head])
        XCTAssertEqual(th.status, 0, th.stderr)
        let out = root.appendingPathComponent("scored.csv").path
        let score = try CLIRunner.run(["score", pairs.path, "--encoder", enc, "--head", head, "-o", out])
        XCTAssertEqual(score.status, 0, score.stderr)
        let rows = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.count, 31)
        XCTAssertTrue(rows.dropFirst().allSatisfy { $0.hasSuffix(",") }, "no row has an error")
        let eval = try CLIRunner.run(["eval", pairs.path, "--encoder", enc, "--head", head])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        XCTAssertTrue(eval.stdout.contains("head AUC"), eval.stdout)
        // The face head does not fit this encoder: refused naming both sizes or fingerprints.
        let models = try CLIRunner.modelsWithHead()
        let mixed = try CLIRunner.run(["score", pairs.path, "--encoder", enc, "--head", models.appendingPathComponent("head.h5").path,
                                       "-o", root.appendingPathComponent("mixed.csv").path])
        XCTAssertEqual(mixed.status, 3, mixed.stderr)
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

/// `bench train`: its help and its JSON shape (one object per configuration).
final class BenchTrainCommandTests: XCTestCase {
    func testHelp() {
        let help = Pairmatch.helpMessage(for: BenchTrainCommand.self, columns: 100)
        XCTAssertTrue(help.hasPrefix("OVERVIEW: Time one training step of Conv-4 (28×28, batch 128, triplet loss, Adam): images/s, peak"), help)
        for option in ["--seconds <s>", "--threads <n> ...", "--no-naive", "--json"] { XCTAssertTrue(help.contains(option), option) }
    }

    func testJSONHasOneObjectPerThreadCount() throws {
        let r = try CLIRunner.run(["bench", "train", "--seconds", "0.05", "--threads", "1", "2", "--no-naive", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let objects = r.jsonLines()
        XCTAssertEqual(objects.map { $0["threads"] as? Int }, [1, 2])
        for o in objects {
            XCTAssertGreaterThan(o["images_per_second"] as! Double, 0)
            XCTAssertGreaterThan(o["peak_rss_bytes"] as! Int, 1_000_000)
        }
        let bad = try CLIRunner.run(["bench", "train", "--threads", "0"])
        XCTAssertEqual(bad.status, 64)
    }
}
