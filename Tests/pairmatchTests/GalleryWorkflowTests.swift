import Foundation
import TestSupport
import WeightStore
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
        let decisions = r.jsonLines().map { o -> [String] in
            ((o["faces"] as? [[String: Any]]) ?? []).map { $0["decision"] as? String ?? "(no decision)" }
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
        XCTAssertEqual(full.stdout, "", "nothing may say 'enrolled' when the gallery was not written")
        XCTAssertEqual(full.stderrLines.count, 1, full.stderr)
        XCTAssertTrue(full.stderr.hasPrefix("pairmatch: error: \(gallery): cannot write"), full.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: gallery)), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["g.h5"])
    }

    /// A gallery of 64-d embeddings (another encoder's size) is refused by enroll, identify and verify with exit 3 and
    /// one line naming the file and both sizes, and is left byte-identical; a gallery the CLI writes records 128.
    func testGalleryOfAnotherEmbeddingSizeIsRefused() throws {
        let (models, dir, gallery128, _) = try galleryOfOne("gallery-size")
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertEqual(try WeightArchive.read(from: URL(fileURLWithPath: gallery128)).integer("embedding_dimension"), 128)

        var a = WeightArchive(kind: "pairmatch.gallery", formatVersion: 1)
        for (name, value) in [("encoder_fingerprint", "conv4-test"), ("created", "2025-01-31T12:00:00Z"), ("updated", "2025-01-31T12:00:00Z")] {
            a.set(attribute: name, .string(value))
        }
        a.set(attribute: "identity_count", .integer(1))
        a.set(attribute: "embedding_count", .integer(1))
        a.set(attribute: "embedding_dimension", .integer(64))
        a.set(Tensor(shape: [1, 64], values: [Float](repeating: 0.1, count: 64)), at: "embeddings")
        a.set(Tensor(shape: [1], values: [0]), at: "owner")
        a.set(Tensor(shape: [3], values: "Bob".utf8.map(Float.init)), at: "names/bytes")
        a.set(Tensor(shape: [1], values: [3]), at: "names/lengths")
        a.set(Tensor(shape: [0], values: []), at: "metadata/bytes")
        a.set(Tensor(shape: [1], values: [-1]), at: "metadata/lengths")
        let gallery = dir.appendingPathComponent("g64.h5").path
        try a.write(to: URL(fileURLWithPath: gallery))
        let before = try Data(contentsOf: URL(fileURLWithPath: gallery))

        let chip = CLIRunner.chip.path
        for args in [["enroll", "--gallery", gallery, "--name", "Second", "--aligned", chip],
                     ["identify", "--gallery", gallery, "--aligned", chip],
                     ["verify", "--gallery", gallery, "--name", "Bob", "--aligned", chip]] {
            let r = try CLIRunner.run(args + ["--models", models.path])
            XCTAssertEqual(r.status, 3, "\(args[0]): \(r.stderr)")
            XCTAssertEqual(r.stderrLines, ["pairmatch: error: \(gallery): gallery holds 64-component embeddings, but the encoder in use gives 128-component ones; re-enrol or use the matching encoder"], args[0])
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: gallery)), before)
        XCTAssertEqual(try CLIRunner.run(["gallery", "list", "--gallery", gallery]).stdout.contains("Bob"), true, "listing needs no encoder")
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
