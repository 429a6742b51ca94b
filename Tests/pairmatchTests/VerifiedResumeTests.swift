import Foundation
import TestSupport
import XCTest

/// `score --resume` continues only a partial file of the same run (pairs file, head, encoder, options), never
/// one with more rows than the input, and reports over every row of the finished file.
final class VerifiedResumeTests: XCTestCase {
    let chip = CLIRunner.chip.path
    let rose = TestPaths.fixtures.appendingPathComponent("FaceAlignment/rose_leslie_img1_0.png").path

    /// A folder with `pairs.csv` (6 rows: row 0 mislabelled, row 1 a missing photo, so the summary tells kept rows
    /// from new ones), the output of an uninterrupted run and its summary, and an interrupted run's `out.csv.partial`
    /// (killed by a file-size limit) with its fingerprint.
    private func setUp(_ label: String) throws -> (models: URL, dir: URL, pairs: URL, out: URL, expected: Data, summary: String) {
        let models = try CLIRunner.modelsWithHead()
        let dir = TestPaths.temporaryDirectory(label)
        let note = String(repeating: "n", count: 400)
        var csv = "a,b,label,note\n\(chip),\(rose),1,\(note)\n\(chip),\(dir.path)/missing.png,1,\(note)\n"
        for i in 2..<6 { csv += (i % 2 == 0 ? "\(chip),\(rose),0" : "\(chip),\(chip),1") + ",\"row \(i), \(note)\"\n" }
        let pairs = dir.appendingPathComponent("pairs.csv")
        try Data(csv.utf8).write(to: pairs)
        let full = dir.appendingPathComponent("full.csv")
        let r = try CLIRunner.run(["score", pairs.path, "-o", full.path, "--aligned", "--models", models.path])
        XCTAssertEqual(r.status, 1, r.stderr)
        let summary = try XCTUnwrap(r.stderrLines.first { $0.hasPrefix("6 pairs") })
        XCTAssertTrue(summary.hasPrefix("6 pairs, 1 errors"), summary)
        XCTAssertTrue(summary.hasSuffix("; accuracy 80.00% at threshold 0.50, AUC 0.8333"), summary)
        let expected = try Data(contentsOf: full)
        XCTAssertGreaterThan(expected.count, 2048)

        let out = dir.appendingPathComponent("out.csv")
        let killed = try CLIRunner.run(["score", pairs.path, "-o", out.path, "--aligned", "--models", models.path], fileSizeLimitBlocks: 4)
        XCTAssertNotEqual(killed.status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.path + ".partial.fingerprint"))
        let partial = try Data(contentsOf: URL(fileURLWithPath: out.path + ".partial"))
        XCTAssertEqual(partial.count, 2048)
        XCTAssertTrue(expected.starts(with: partial))
        return (models, dir, pairs, out, expected, summary)
    }

    private func resume(_ s: (models: URL, dir: URL, pairs: URL, out: URL, expected: Data, summary: String),
                        _ extra: [String] = []) throws -> CLIRunner.Result {
        try CLIRunner.run(["score", s.pairs.path, "-o", s.out.path, "--aligned", "--resume", "--models", s.models.path] + extra)
    }

    /// After a resume the file equals the uninterrupted run's and the summary counts all 6 rows (the mislabelled
    /// and the failed row were among the resumed ones), not only the new ones.
    func testResumeCompletesTheFileAndSummarisesEveryRow() throws {
        let s = try setUp("resume-summary")
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let r = try resume(s)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(try Data(contentsOf: s.out), s.expected)
        let summary = try XCTUnwrap(r.stderrLines.first { $0.hasPrefix("6 pairs") }, r.stderr)
        XCTAssertTrue(summary.hasPrefix("6 pairs, 1 errors"), summary)
        XCTAssertTrue(summary.contains("(resumed: 3 rows were already done)"), summary)
        XCTAssertEqual(summary.split(separator: ";").last, s.summary.split(separator: ";").last)
        XCTAssertTrue(r.stderr.contains("1 of 6 rows have errors"), r.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: s.dir.path).sorted(), ["full.csv", "out.csv", "pairs.csv"],
                       "no partial, fingerprint or lock file left")
    }

    func testResumeAfterThePairsFileChangedIsRefused() throws {
        let s = try setUp("resume-pairs")
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let partial = try Data(contentsOf: URL(fileURLWithPath: s.out.path + ".partial"))
        var csv = try String(contentsOf: s.pairs, encoding: .utf8)
        csv = csv.replacingOccurrences(of: "\(chip),\(rose),0", with: "\(rose),\(rose),1")   // rows 2 and 4
        try Data(csv.utf8).write(to: s.pairs)
        let r = try resume(s)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertEqual(r.errorLines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("cannot resume: it was written with other input or options: the pairs file's content"), r.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: s.out.path + ".partial")), partial, "left as it was")
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.out.path))
    }

    func testResumeWithAnotherPriorIsRefusedNamingIt() throws {
        let s = try setUp("resume-prior")
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let r = try resume(s, ["--prior", "0.1"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("other input or options: --prior (0.5 → 0.1)"), r.stderr)
        let pick = try resume(s, ["--jitter", "2"])
        XCTAssertEqual(pick.status, 2, pick.stderr)
        XCTAssertTrue(pick.stderr.contains("--jitter (0 → 2)"), pick.stderr)
        // The same options still resume.
        XCTAssertEqual(try resume(s).status, 1)
        XCTAssertEqual(try Data(contentsOf: s.out), s.expected)
    }

    /// A partial file holding more rows than the input (e.g. another run's rows appended) is refused.
    func testPartialWithMoreRowsThanTheInputIsRefused() throws {
        let s = try setUp("resume-rows")
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let lines = String(decoding: s.expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let tooMany = String(decoding: s.expected, as: UTF8.self) + lines[3] + "\n" + lines[4] + "\n"
        try Data(tooMany.utf8).write(to: URL(fileURLWithPath: s.out.path + ".partial"))
        let r = try resume(s)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("it has 8 rows, more than the 6 rows of the input"), r.stderr)

        // Rows that answer other input rows (here: shuffled) are refused too.
        let shuffled = ([lines[0], lines[2], lines[1]].joined(separator: "\n")) + "\n"
        try Data(shuffled.utf8).write(to: URL(fileURLWithPath: s.out.path + ".partial"))
        let r2 = try resume(s)
        XCTAssertEqual(r2.status, 2, r2.stderr)
        XCTAssertTrue(r2.stderr.contains("row 1 does not answer input row 1"), r2.stderr)
    }

    /// A partial file without its fingerprint (an older pairmatch's, or copied from elsewhere) is not trusted.
    func testPartialWithoutFingerprintIsRefused() throws {
        let s = try setUp("resume-nofp")
        defer { try? FileManager.default.removeItem(at: s.dir) }
        try FileManager.default.removeItem(atPath: s.out.path + ".partial.fingerprint")
        let r = try resume(s)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("cannot resume: no out.csv.partial.fingerprint beside it"), r.stderr)
    }
}
