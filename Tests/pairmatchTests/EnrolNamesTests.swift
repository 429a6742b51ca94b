import Foundation
import TestSupport
import XCTest

/// Enrolment names from the CLI: Unicode forms are one person, blank names and bad sub-folder names are refused
/// before any work without costing the other people their enrolment.
final class EnrolNamesTests: XCTestCase {
    let chip = CLIRunner.chip.path
    let rose = TestPaths.fixtures.appendingPathComponent("FaceAlignment/rose_leslie_img1_0.png").path

    func testNFDAndNFCNamesAreOnePersonAndBlankNamesAreRefused() throws {
        let models = try CLIRunner.models()
        let dir = TestPaths.temporaryDirectory("enrol-names")
        defer { try? FileManager.default.removeItem(at: dir) }
        let gallery = dir.appendingPathComponent("g.h5").path
        let nfd = "Zoe\u{0308}", nfc = "Zo\u{00EB}"
        let first = try CLIRunner.run(["enroll", "--gallery", gallery, "--name", nfd, "--aligned", chip, "--models", models.path])
        XCTAssertEqual(first.status, 0, first.stderr)
        let second = try CLIRunner.run(["enroll", "--gallery", gallery, "--name", nfc, "--aligned", rose, "--models", models.path])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.hasPrefix("added 1 photo(s) to \(nfc) (now 2)"), second.stdout)
        let list = try CLIRunner.run(["gallery", "list", "--gallery", gallery])
        XCTAssertEqual(Array(list.stdout.utf8), Array("\(nfc)\t2 photos\n".utf8), "one person, stored in NFC")

        let before = try Data(contentsOf: URL(fileURLWithPath: gallery))
        let blank = try CLIRunner.run(["enroll", "--gallery", gallery, "--name", "   ", "--aligned", chip, "--models", models.path])
        XCTAssertEqual(blank.status, 2, blank.stderr)
        XCTAssertEqual(blank.errorLines, [#"pairmatch: error: gallery: invalid identity name "   " (only whitespace)"#])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: gallery)), before)
    }

    /// Sub-folders with bad names are reported up front, one line each, and skipped; the others are enrolled and
    /// the run exits 1. Folders whose names differ only in Unicode form are one person.
    func testBadSubFolderNamesAreSkippedAndTheRestEnrolled() throws {
        let models = try CLIRunner.models()
        let dir = TestPaths.temporaryDirectory("enrol-folders")
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = dir.appendingPathComponent("people")
        let fm = FileManager.default
        for (folder, photo) in [("aaron", chip), ("bad\tname", chip), ("   ", rose), ("Zoe\u{0308}", rose), ("Zo\u{00EB}", chip)] {
            let d = root.appendingPathComponent(folder)
            try fm.createDirectory(at: d, withIntermediateDirectories: true)
            try fm.copyItem(atPath: photo, toPath: d.appendingPathComponent("1.png").path)
        }
        let gallery = dir.appendingPathComponent("g.h5").path
        let r = try CLIRunner.run(["enroll", "--gallery", gallery, "--from-folders", root.path, "--aligned", "--models", models.path])
        XCTAssertEqual(r.status, 1, r.stderr)
        let errors = r.errorLines
        XCTAssertEqual(errors.count, 3, r.stderr)
        XCTAssertTrue(errors[0].contains(#"(only whitespace)"#), errors[0])
        XCTAssertTrue(errors[1].contains(#"invalid identity name "bad\tname" (contains a control character)"#), errors[1])
        XCTAssertEqual(errors[2], "pairmatch: error: 2 sub-folder(s) skipped for their names")
        XCTAssertTrue(r.stdout.hasSuffix("\(gallery): 2 people, 3 embeddings\n"), r.stdout)
        let list = try CLIRunner.run(["gallery", "list", "--gallery", gallery])
        XCTAssertEqual(list.stdout.split(separator: "\n").sorted(), ["Zo\u{00EB}\t2 photos", "aaron\t1 photo"])
    }
}
