import Foundation
import TestSupport
import XCTest

/// What the jobs print, checked against independent numbers (dlib's reference, the embed output).
final class OutputTests: XCTestCase {
    /// `embed --aligned --json` on a chip dlib extracted gives dlib's descriptor (max |Δ| ≤ 1e-4), printed so
    /// float32 values round-trip.
    func testEmbedAlignedMatchesDlib() throws {
        let models = try CLIRunner.models()
        guard let shared = TestPaths.shared else { throw XCTSkip(TestPaths.skipReason("../shared absent")) }
        let chip = shared.appendingPathComponent("reference/chips/AJ_Lamas_0001_0.png")
        let r = try CLIRunner.run(["embed", "--aligned", "--json", chip.path, "--models", models.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let line = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(line["path"] as? String, chip.path)
        let ours = ((line["faces"] as! [[String: Any]])[0]["embedding"] as! [Double]).map { Float($0) }
        let reference = try String(contentsOf: shared.appendingPathComponent("reference/chips/dlib.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            .first { ($0["path"] as? String) == "reference/chips/AJ_Lamas_0001_0.png" }!
        let dlib = ((reference["faces"] as! [[String: Any]])[0]["descriptor"] as! [Double]).map { Float($0) }
        XCTAssertEqual(ours.count, 128)
        XCTAssertLessThanOrEqual(zip(ours, dlib).map { abs($0 - $1) }.max()!, 1e-4)
        // Round trip: the printed text of each value parses back to the same float32.
        let printed = r.stdout.components(separatedBy: "\"embedding\":[")[1].components(separatedBy: "]")[0].split(separator: ",")
        XCTAssertEqual(printed.map { Float(String($0))! }, ours)
    }

    /// `compare` prints the head's verdict, and its distance equals the one computed from `embed`'s output.
    func testCompareTextAndJSON() throws {
        let models = try CLIRunner.modelsWithHead()
        let a = CLIRunner.chip.path, b = TestPaths.fixtures.appendingPathComponent("FaceAlignment/rose_leslie_img1_0.png").path
        let text = try CLIRunner.run(["compare", "--aligned", a, b, "--models", models.path])
        XCTAssertEqual(text.status, 0, text.stderr)
        let lines = text.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4)
        XCTAssertTrue(lines[0].hasPrefix("same person: no (probability 0."), lines[0])
        XCTAssertTrue(lines[0].hasSuffix(", threshold 0.50)"), lines[0])
        XCTAssertEqual(lines[2], "a: \(a) face 1 of 1 (aligned chip)")
        XCTAssertEqual(lines[3], "b: \(b) face 1 of 1 (aligned chip)")

        let json = try CLIRunner.run(["compare", "--aligned", "--json", a, b, "--models", models.path])
        let o = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(json.stdout.prefix(15), #"{"probability":"#)
        XCTAssertEqual(o["same"] as? Bool, false)
        XCTAssertEqual((o["a"] as! [String: Any])["faces_found"] as? Int, 1)

        let embed = try CLIRunner.run(["embed", "--aligned", "--json", a, b, "--models", models.path])
        let e = embed.jsonLines().map { o -> [Float] in
            (((o["faces"] as? [[String: Any]])?.first?["embedding"] as? [Double]) ?? []).map { Float($0) }
        }
        XCTAssertEqual(e.count, 2, embed.stdout)
        guard e.count == 2 else { return }
        let distance = zip(e[0], e[1]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        XCTAssertEqual((o["distance"] as! Double), Double(distance), accuracy: 1e-5)
        XCTAssertTrue(lines[1].hasPrefix("distance:    " + String(format: "%.4f", distance)), lines[1])

        let same = try CLIRunner.run(["compare", "--aligned", "--json", a, a, "--models", models.path])
        let s = try JSONSerialization.jsonObject(with: Data(same.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(s["distance"] as? Double, 0)
        XCTAssertEqual(s["same"] as? Bool, true)
    }
}

/// `score` streams rows in order and `--resume` completes an interrupted run to the identical file.
final class ScoreResumeTests: XCTestCase {
    func testResumedRunIsByteIdentical() throws {
        let models = try CLIRunner.modelsWithHead()
        let dir = TestPaths.temporaryDirectory("resume")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = CLIRunner.chip.path, b = TestPaths.fixtures.appendingPathComponent("FaceAlignment/rose_leslie_img1_0.png").path
        var csv = "a,b,label,note\n"
        let pad = String(repeating: "p", count: 400)   // rows long enough for a 2 KiB file-size limit to cut the run
        for i in 0..<6 { csv += (i % 2 == 0 ? "\(a),\(b),0" : "\(a),\(a),1") + ",\"row \(i), quoted \(pad)\"\n" }
        let pairs = dir.appendingPathComponent("pairs.csv")
        try Data(csv.utf8).write(to: pairs)
        let full = dir.appendingPathComponent("full.csv")
        let r = try CLIRunner.run(["score", pairs.path, "-o", full.path, "--aligned", "--models", models.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let expected = try Data(contentsOf: full)
        XCTAssertEqual(String(decoding: expected, as: UTF8.self).split(separator: "\n").count, 7)

        // An interrupted run (killed by a file-size limit; it leaves OUT.partial and its fingerprint), cut back to
        // the header, two whole rows and half of the third.
        let resumed = dir.appendingPathComponent("resumed.csv")
        let killed = try CLIRunner.run(["score", pairs.path, "-o", resumed.path, "--aligned", "--models", models.path], fileSizeLimitBlocks: 4)
        XCTAssertNotEqual(killed.status, 0)
        let records = String(decoding: expected, as: UTF8.self).components(separatedBy: "\n")
        let cut = records[0...2].joined(separator: "\n") + "\n" + records[3].prefix(records[3].count / 2)
        try Data(cut.utf8).write(to: URL(fileURLWithPath: resumed.path + ".partial"))
        let again = try CLIRunner.run(["score", pairs.path, "-o", resumed.path, "--aligned", "--resume", "--models", models.path])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try Data(contentsOf: resumed), expected)
        XCTAssertFalse(FileManager.default.fileExists(atPath: resumed.path + ".partial"))
        XCTAssertTrue(again.stderr.contains("resuming after 2 finished rows of 6"), again.stderr)

        // A partial file from other input is not silently continued.
        try Data("x,y\n1,2\n".utf8).write(to: URL(fileURLWithPath: resumed.path + ".partial"))
        let refused = try CLIRunner.run(["score", pairs.path, "-o", resumed.path, "--aligned", "--resume", "--models", models.path])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("cannot resume"), refused.stderr)
        XCTAssertEqual(try Data(contentsOf: resumed), expected, "the finished file must be untouched")
    }
}
