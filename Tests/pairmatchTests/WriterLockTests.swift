import Foundation
import TestSupport
import WeightStore
import XCTest

/// A `pairmatch` process started in the background, its output going to files (no pipe to fill up).
final class RunningCLI {
    let process = Process()
    private let out: URL, err: URL

    init(_ args: [String], in dir: URL) throws {
        out = dir.appendingPathComponent(".out-\(UUID().uuidString)")
        err = dir.appendingPathComponent(".err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.executableURL = CLIRunner.binary
        process.arguments = args
        process.currentDirectoryURL = TestPaths.repositoryRoot
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Waits for the exit; removes the output files.
    func finish() -> CLIRunner.Result {
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        return CLIRunner.Result(status: process.terminationStatus,
                                stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                                stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}

extension CLIRunner.Result {
    /// stderr without warning lines (e.g. about model files), which other work may add.
    var errorLines: [String] { stderrLines.filter { !$0.hasPrefix("pairmatch: warning:") } }
}

/// Two writers of one gallery or one score output never lose each other's work: the second waits (`--wait`) or
/// is refused at once with the holder's pid and a non-zero exit.
final class WriterLockTests: XCTestCase {
    let chip = CLIRunner.chip.path
    let rose = TestPaths.fixtures.appendingPathComponent("FaceAlignment/rose_leslie_img1_0.png").path

    private func names(in gallery: String) throws -> [String] {
        let r = try CLIRunner.run(["gallery", "list", "--gallery", gallery])
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.stdout.split(separator: "\n").map { String($0.split(separator: "\t")[0]) }.sorted()
    }

    /// Today's loss: two enrolments at once both said "enrolled" and one person was gone.
    func testConcurrentEnrolmentsKeepBothPeopleOrRefuseOneClearly() throws {
        let models = try CLIRunner.models()
        let dir = TestPaths.temporaryDirectory("lock-enrol")
        defer { try? FileManager.default.removeItem(at: dir) }
        for wait in ["30", "0"] {
            let gallery = dir.appendingPathComponent("g\(wait).h5").path
            let runs = try [("Aaron", chip), ("Rose", rose)].map { name, photo in
                try RunningCLI(["enroll", "--gallery", gallery, "--name", name, "--aligned", photo, "--wait", wait, "--models", models.path], in: dir)
            }
            let results = runs.map { $0.finish() }
            let present = try names(in: gallery)
            for (name, r) in zip(["Aaron", "Rose"], results) {
                if r.status == 0 {
                    XCTAssertTrue(present.contains(name), "\(name) said enrolled but is not in the gallery: \(r.stdout)")
                    XCTAssertTrue(r.stdout.contains("enrolled \(name)"), r.stdout)
                } else {
                    XCTAssertEqual(wait, "0", "with --wait 30 both must succeed: \(r.stderr)")
                    XCTAssertEqual(r.status, 2, r.stderr)
                    XCTAssertEqual(r.errorLines.count, 1, r.stderr)
                    XCTAssertTrue(r.stderr.contains("locked by"), r.stderr)   // the pid only once the holder has written it
                    XCTAssertEqual(r.stdout, "")
                    XCTAssertFalse(present.contains(name))
                }
            }
            XCTAssertTrue(results.contains { $0.status == 0 })
            if wait == "30" { XCTAssertEqual(present, ["Aaron", "Rose"]) }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["g0.h5", "g30.h5"], "no lock or temporary file left")
    }

    /// While another writer holds the gallery: `--wait 0` (the default) is refused at once naming its pid, and
    /// leaves the gallery as it was; `--wait 10` waits for it and then enrols.
    func testEnrolWaitsForTheHolderOrIsRefused() throws {
        let models = try CLIRunner.models()
        let dir = TestPaths.temporaryDirectory("lock-enrol-wait")
        defer { try? FileManager.default.removeItem(at: dir) }
        let gallery = dir.appendingPathComponent("g.h5")
        let first = try CLIRunner.run(["enroll", "--gallery", gallery.path, "--name", "Aaron", "--aligned", chip, "--models", models.path])
        XCTAssertEqual(first.status, 0, first.stderr)
        let before = try Data(contentsOf: gallery)

        let held = try FileLock.acquire(for: gallery)
        let refused = try CLIRunner.run(["enroll", "--gallery", gallery.path, "--name", "Rose", "--aligned", rose, "--models", models.path])
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertEqual(refused.errorLines, ["pairmatch: error: \(gallery.path): locked by pid \(getpid()), another pairmatch is writing it; retry when it is done or pass --wait SECONDS"])
        XCTAssertEqual(try Data(contentsOf: gallery), before)
        let removal = try CLIRunner.run(["gallery", "remove", "Aaron", "--gallery", gallery.path])
        XCTAssertEqual(removal.status, 2, removal.stderr)
        XCTAssertTrue(removal.stderr.contains("locked by pid \(getpid())"), removal.stderr)

        let waiting = try RunningCLI(["enroll", "--gallery", gallery.path, "--name", "Rose", "--aligned", rose, "--wait", "10", "--models", models.path], in: dir)
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertTrue(waiting.process.isRunning, "it must wait for the lock")
        held.release()
        let done = waiting.finish()
        XCTAssertEqual(done.status, 0, done.stderr)
        XCTAssertTrue(done.stderr.contains("locked by pid \(getpid()); waiting up to 10"), done.stderr)
        XCTAssertEqual(try names(in: gallery.path), ["Aaron", "Rose"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["g.h5"])
    }

    /// Two `score` runs into one output: one is refused (or they ran one after the other), and the file is exactly
    /// an uninterrupted run's, never a mixture.
    func testConcurrentScoresIntoOneOutputRefuseOne() throws {
        let models = try CLIRunner.modelsWithHead()
        let dir = TestPaths.temporaryDirectory("lock-score")
        defer { try? FileManager.default.removeItem(at: dir) }
        var csv = "a,b,label\n"
        for i in 0..<40 { csv += (i % 2 == 0 ? "\(chip),\(rose),0" : "\(chip),\(chip),1") + "\n" }
        let pairs = dir.appendingPathComponent("pairs.csv")
        try Data(csv.utf8).write(to: pairs)
        let reference = dir.appendingPathComponent("reference.csv")
        XCTAssertEqual(try CLIRunner.run(["score", pairs.path, "-o", reference.path, "--aligned", "--models", models.path]).status, 0)
        let out = dir.appendingPathComponent("out.csv")

        let held = try FileLock.acquire(for: out)
        let refused = try CLIRunner.run(["score", pairs.path, "-o", out.path, "--aligned", "--models", models.path])
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertTrue(refused.errorLines.count == 1 && refused.stderr.contains("\(out.path): locked by pid \(getpid())"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path + ".partial"), "refused before touching the partial file")
        held.release()

        let runs = try (0..<2).map { _ in try RunningCLI(["score", pairs.path, "-o", out.path, "--aligned", "--models", models.path], in: dir) }
        let results = runs.map { $0.finish() }
        XCTAssertTrue(results.contains { $0.status == 0 }, results.map(\.stderr).joined())
        for r in results where r.status != 0 {
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertTrue(r.stderr.contains("locked by"), r.stderr)   // the pid only once the holder has written it
        }
        XCTAssertEqual(try Data(contentsOf: out), try Data(contentsOf: reference))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["out.csv", "pairs.csv", "reference.csv"])
    }
}
