import Foundation
import TestSupport
import XCTest

/// One-shot recognition from the CLI on the shared example photos: enrol one or two photos per person, then
/// identify the probes; an unenrolled face answers "unknown"; the encoder guard and atomic updates hold.
final class GalleryWorkflowTests: XCTestCase {
    func testEnrolFromFoldersThenIdentify() throws {
        let models = try CLIRunner.modelsWithHead()
        guard let shared = TestPaths.shared else { throw XCTSkip(TestPaths.skipReason("../shared absent")) }
        let examples = shared.appendingPathComponent("data/examples")
        let dir = TestPaths.temporaryDirectory("gallery-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let gallery = dir.appendingPathComponent("people.h5").path

        let enrol = try CLIRunner.run(["enroll", "--gallery", gallery, "--from-folders", examples.appendingPathComponent("known").path,
                                       "--models", models.path])
        XCTAssertEqual(enrol.status, 0, enrol.stderr)
        XCTAssertTrue(enrol.stdout.hasSuffix("\(gallery): 5 people, 9 embeddings\n"), enrol.stdout)

        let unknown = examples.appendingPathComponent("unknown")
        let probes = ["alex_lacamoire1.jpg", "johnsnow_test1.jpg", "kit_with_rose.jpg", "obama1.jpg", "obama_and_biden.jpg"]
        let r = try CLIRunner.run(["identify", "--gallery", gallery, "--json", "--models", models.path] + probes.map { unknown.appendingPathComponent($0).path })
        XCTAssertEqual(r.status, 0, r.stderr)
        let decisions = r.stdout.split(separator: "\n").map { line -> [String] in
            let o = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return (o["faces"] as! [[String: Any]]).map { $0["decision"] as! String }
        }
        XCTAssertEqual(decisions.count, 5)
        XCTAssertEqual(decisions[0], ["alex_lacamoire"])
        XCTAssertEqual(decisions[1], ["kit_harington"])
        XCTAssertEqual(Set(decisions[2]), ["kit_harington", "rose_leslie"])
        XCTAssertEqual(decisions[3], ["obama"])
        // Obama and Biden, plus a small third face in the background that nobody enrolled.
        XCTAssertEqual(Set(decisions[4].prefix(2)), ["obama", "biden"])
        XCTAssertTrue(decisions[4].dropFirst(2).allSatisfy { $0 == "unknown" })

        // 1:1 by identity, and removal.
        let v = try CLIRunner.run(["verify", "--gallery", gallery, "--name", "obama", unknown.appendingPathComponent("obama1.jpg").path, "--json", "--models", models.path])
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(v.stdout.utf8)) as! [String: Any])["same"] as? Bool, true)
        let rm = try CLIRunner.run(["gallery", "remove", "obama", "--gallery", gallery])
        XCTAssertEqual(rm.stdout, "removed obama; 4 people left\n")
        let after = try CLIRunner.run(["identify", "--gallery", gallery, "--json", "--models", models.path, unknown.appendingPathComponent("obama1.jpg").path])
        XCTAssertTrue(after.stdout.contains(#""decision":"unknown""#), after.stdout)
    }

    /// A refused enrolment (an empty name) exits 2 with one line and leaves the gallery file byte-identical.
    /// (The encoder-mismatch refusal is tested on the library in GalleryTests.)
    func testFailedEnrolLeavesTheGalleryUntouched() throws {
        let (models, dir, gallery, before) = try galleryOfOne("gallery-guard")
        defer { try? FileManager.default.removeItem(at: dir) }

        let bad = try CLIRunner.run(["enroll", "--gallery", gallery, "--name", "", "--aligned", CLIRunner.chip.path, "--models", models.path])
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(bad.stderrLines.count, 1, bad.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: gallery)), before)
    }

    /// An enrolment that cannot be saved (no room: a 3 KiB file-size limit) exits 3 with one line naming the
    /// gallery, leaves it byte-identical and no temporary file beside it, and does not crash on the way out.
    func testEnrolThatCannotBeSavedFailsCleanly() throws {
        let (models, dir, gallery, before) = try galleryOfOne("gallery-full")
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertGreaterThan(before.count, 3072)

        let full = try CLIRunner.run(["enroll", "--gallery", gallery, "--name", "Second", "--aligned", CLIRunner.chip.path,
                                      "--models", models.path], fileSizeLimitBlocks: 6)
        XCTAssertEqual(full.status, 3, full.stderr)
        XCTAssertEqual(full.stderrLines.count, 1, full.stderr)
        XCTAssertTrue(full.stderr.hasPrefix("pairmatch: error: \(gallery): cannot write"), full.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: gallery)), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["g.h5"])
    }

    /// A fresh folder named after `label` holding `g.h5` with one enrolled chip ("Aaron"); returns the models
    /// folder, the folder, the gallery path and the gallery's bytes.
    private func galleryOfOne(_ label: String) throws -> (models: URL, dir: URL, gallery: String, bytes: Data) {
        let models = try CLIRunner.modelsWithHead()
        let dir = TestPaths.temporaryDirectory(label)
        let gallery = dir.appendingPathComponent("g.h5").path
        let enrol = try CLIRunner.run(["enroll", "--gallery", gallery, "--name", "Aaron", "--aligned", CLIRunner.chip.path, "--models", models.path])
        XCTAssertEqual(enrol.status, 0, enrol.stderr)
        return (models, dir, gallery, try Data(contentsOf: URL(fileURLWithPath: gallery)))
    }
}
