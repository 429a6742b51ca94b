import Foundation
import TestSupport
import WeightStore
import XCTest

/// Every input a user can get wrong: a one-line error naming the input and the cause, the documented exit
/// code, no crash and no partial output file. The bad files are written by the tests.
final class BadInputTests: XCTestCase {
    private var dir: URL!
    override func setUp() { dir = TestPaths.temporaryDirectory("bad-input") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    private func write(_ name: String, _ bytes: Data) throws -> String {
        let url = dir.appendingPathComponent(name)
        try bytes.write(to: url)
        return url.path
    }

    /// `compare --aligned BAD chip`: exit 2 with exactly one stderr line, `pairmatch: error: <path>: <cause>`.
    private func assertRefused(_ path: String, _ cause: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let models = try CLIRunner.models()
        let r = try CLIRunner.run(["compare", "--aligned", path, CLIRunner.chip.path, "--models", models.path])
        XCTAssertEqual(r.status, 2, r.stderr, file: file, line: line)
        XCTAssertEqual(r.stderrLines, ["pairmatch: error: \(path): \(cause)"], file: file, line: line)
        XCTAssertEqual(r.stdout, "", file: file, line: line)
    }

    func testMissingEmptyTextAndDirectory() throws {
        try assertRefused(dir.appendingPathComponent("missing.jpg").path, "no such file")
        try assertRefused(try write("empty.jpg", Data()), "empty file")
        try assertRefused(try write("notes.jpg", Data("just some text\n".utf8)), "not an image (unknown file signature; expected JPEG, PNG, PGM or PPM)")
        try assertRefused(dir.path, "is a directory, not an image file")
    }

    func testTruncatedJPEGAndPNG() throws {
        let jpeg = try Data(contentsOf: TestPaths.fixtures.appendingPathComponent("FaceAlignment/Aaron_Guiel_0001.jpg"))
        let cutJPEG = try write("cut.jpg", jpeg.prefix(jpeg.count / 2))
        let png = try Data(contentsOf: CLIRunner.chip)
        let cutPNG = try write("cut.png", png.prefix(png.count / 2))
        let models = try CLIRunner.models()
        for path in [cutJPEG, cutPNG] {
            let r = try CLIRunner.run(["compare", "--aligned", path, CLIRunner.chip.path, "--models", models.path])
            XCTAssertEqual(r.status, 2)
            XCTAssertEqual(r.stderrLines.count, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("pairmatch: error: \(path): truncated "), r.stderr)
        }
    }

    func testHugeHeaderIsRefusedBeforeAllocating() throws {
        let ppm = try write("huge.ppm", Data("P6\n100000 100000\n255\n".utf8) + Data(count: 16))
        let models = try CLIRunner.models()
        let r = try CLIRunner.run(["compare", "--aligned", ppm, CLIRunner.chip.path, "--models", models.path])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderrLines.count, 1)
        XCTAssertTrue(r.stderr.contains("\(ppm): ") && r.stderr.contains("100000"), r.stderr)
    }

    func testUnreadablePermissions() throws {
        guard getuid() != 0 else { throw XCTSkip(TestPaths.skipReason("running as root: permissions do not stop root")) }
        let path = try write("locked.jpg", try Data(contentsOf: CLIRunner.chip))
        chmod(path, 0)
        try assertRefused(path, "cannot read file (permission denied)")
    }

    func testEmbedReportsBadImagesInlineAndFinishesTheRest() throws {
        let models = try CLIRunner.models()
        let bad = try write("bad.jpg", Data("nope".utf8))
        let r = try CLIRunner.run(["embed", "--aligned", "--json", bad, CLIRunner.chip.path, "--models", models.path, "--threads", "1"])
        XCTAssertEqual(r.status, 1)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(lines[0], #"{"path":"\#(bad)","error":"\#(bad): not an image (unknown file signature; expected JPEG, PNG, PGM or PPM)"}"#)
        XCTAssertTrue(lines[1].hasPrefix(#"{"path":"\#(CLIRunner.chip.path)","faces":[{"embedding":["#), lines[1])
        XCTAssertEqual(r.stderrLines, ["pairmatch: error: 1 of 2 images failed"])
    }

    // MARK: pairs files

    private func score(_ csv: String, extra: [String] = []) throws -> (CLIRunner.Result, URL) {
        let models = try CLIRunner.modelsWithHead()
        let out = dir.appendingPathComponent("out.csv")
        let r = try CLIRunner.run(["score", csv, "-o", out.path, "--aligned", "--threads", "1", "--models", models.path] + extra)
        return (r, out)
    }

    private func assertNoOutput(_ out: URL, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "output left behind", file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path + ".partial"), "partial output left behind", file: file, line: line)
    }

    func testUnterminatedQuoteRefusesTheFileWithoutOutput() throws {
        let csv = try write("q.csv", Data("a,b,label\n\(CLIRunner.chip.path),\"\(CLIRunner.chip.path),1\n".utf8))
        let (r, out) = try score(csv)
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderrLines, ["pairmatch: error: \(csv): line 2: unterminated quoted field"])
        assertNoOutput(out)
    }

    func testNonUTF8PairsFileIsRefused() throws {
        let csv = try write("latin1.csv", Data("caf".utf8) + Data([0xE9]) + Data(".jpg,b.jpg,1\n".utf8))
        let (r, out) = try score(csv)
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderrLines, ["pairmatch: error: \(csv): pairs file is not valid UTF-8"])
        assertNoOutput(out)
    }

    func testMissingPairsFile() throws {
        let (r, out) = try score(dir.appendingPathComponent("none.csv").path)
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderrLines, ["pairmatch: error: \(dir.appendingPathComponent("none.csv").path): no such pairs file"])
        assertNoOutput(out)
    }

    func testBadRowsGetTheirErrorAndTheBatchGoesOn() throws {
        let chip = CLIRunner.chip.path
        let csv = try write("rows.csv", Data("""
        \(chip),\(chip),1
        only-one-column.png
        \(chip),\(chip),maybe
        \(chip),\(dir.appendingPathComponent("missing.png").path),0

        """.utf8))
        let (r, out) = try score(csv)
        XCTAssertEqual(r.status, 1, r.stderr)
        let rows = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(rows.count, 5)
        XCTAssertEqual(rows[0], "a,b,label,probability,distance,same,error")
        XCTAssertTrue(rows[1].hasPrefix("\(chip),\(chip),1,"), rows[1])
        XCTAssertTrue(rows[1].hasSuffix(",0.000000,1,"), rows[1])
        XCTAssertEqual(rows[2], #"only-one-column.png,,,,,,"row 2: too few columns (need a,b[,label], found 1)""#)   // RFC 4180 quoting
        XCTAssertEqual(rows[3], "\(chip),\(chip),maybe,,,,row 3: label 'maybe' is not 0 or 1")
        XCTAssertEqual(rows[4], "\(chip),\(dir.appendingPathComponent("missing.png").path),0,,,,\(dir.appendingPathComponent("missing.png").path): no such file")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path + ".partial"))
        XCTAssertEqual(r.stderrLines.last, "pairmatch: error: 3 of 4 rows have errors (see the error column of \(out.path))")
    }

    // MARK: model and head files

    func testCorruptAndWrongKindHeadFiles() throws {
        let models = try CLIRunner.models()
        let garbage = try write("head.h5", Data("not hdf5 at all".utf8))
        let r = try CLIRunner.run(["compare", "--aligned", CLIRunner.chip.path, CLIRunner.chip.path, "--head", garbage, "--models", models.path])
        XCTAssertEqual(r.status, 3)
        XCTAssertEqual(r.stderrLines.count, 1)
        XCTAssertTrue(r.stderr.hasPrefix("pairmatch: error: \(garbage)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("not an HDF5"), r.stderr)

        let encoder = models.appendingPathComponent("encoder.h5").path
        let w = try CLIRunner.run(["compare", "--aligned", CLIRunner.chip.path, CLIRunner.chip.path, "--head", encoder, "--models", models.path])
        XCTAssertEqual(w.status, 3)
        XCTAssertEqual(w.stderrLines.count, 1)
        XCTAssertTrue(w.stderr.contains("pairmatch.encoder") && w.stderr.contains("pairmatch.head"), w.stderr)
    }

    /// A head of 64 weights (another encoder's size) with the 128-d face encoder: exit 3, one line naming the head
    /// file and both sizes, before any image is read.
    func testHeadOfAnotherEmbeddingSize() throws {
        let models = try CLIRunner.models()
        var a = WeightArchive(kind: "pairmatch.head", formatVersion: 1)
        a.set(Tensor(shape: [64], values: [Float](repeating: -1, count: 64)), at: "weights")
        a.set(Tensor(shape: [1], values: [2]), at: "bias")
        a.set(attribute: "embedding_dimension", .integer(64))
        a.set(attribute: "feature_kind", .string("abs"))
        a.set(attribute: "threshold", .float(0.5))
        a.set(attribute: "prior", .float(0.5))
        a.set(attribute: "encoder_fingerprint", .string("conv4-test"))
        a.set(attribute: "created", .string("2025-01-31T12:00:00Z"))
        let head = dir.appendingPathComponent("head64.h5").path
        try a.write(to: URL(fileURLWithPath: head))
        let r = try CLIRunner.run(["compare", "--aligned", CLIRunner.chip.path, CLIRunner.chip.path, "--head", head, "--models", models.path])
        XCTAssertEqual(r.status, 3, r.stderr)
        XCTAssertEqual(r.stderrLines, ["pairmatch: error: head \(head) takes 64-component embeddings but these have 128 components; train a head for this encoder"])
    }

    func testCorruptAndMissingModels() throws {
        let models = try CLIRunner.models()
        let bad = dir.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
        let encoder = try Data(contentsOf: models.appendingPathComponent("encoder.h5"))
        try encoder.prefix(encoder.count / 3).write(to: bad.appendingPathComponent("encoder.h5"))
        let r = try CLIRunner.run(["embed", "--aligned", CLIRunner.chip.path, "--models", bad.path])
        XCTAssertEqual(r.status, 3)
        XCTAssertEqual(r.stderrLines, ["pairmatch: error: \(bad.appendingPathComponent("encoder.h5").path): truncated or damaged HDF5 file"])

        let empty = dir.appendingPathComponent("empty-models")
        let m = try CLIRunner.run(["detect", CLIRunner.chip.path, "--models", empty.path])
        XCTAssertEqual(m.status, 3)
        XCTAssertEqual(m.stderrLines, ["pairmatch: error: \(empty.appendingPathComponent("detector.h5").path): no detector model; create it with 'pairmatch models import --from DIR' (or 'make models')"])
    }

    func testImportOfTruncatedDatLeavesNoOutput() throws {
        guard let sources = TestPaths.dlibSources else { throw XCTSkip(TestPaths.skipReason("dlib .dat files not fetched")) }
        let src = dir.appendingPathComponent("dat")
        try FileManager.default.createDirectory(at: src, withIntermediateDirectories: true)
        for name in ["dlib_face_recognition_resnet_model_v1.dat", "mmod_human_face_detector.dat", "shape_predictor_5_face_landmarks.dat"] {
            let bytes = try Data(contentsOf: sources.appendingPathComponent(name))
            try (name.hasPrefix("mmod") ? bytes.prefix(5000) : bytes).write(to: src.appendingPathComponent(name))
        }
        let out = dir.appendingPathComponent("imported")
        let r = try CLIRunner.run(["models", "import", "--from", src.path, "--models", out.path])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderrLines.count, 1)
        XCTAssertTrue(r.stderr.hasPrefix("pairmatch: error: \(src.appendingPathComponent("mmod_human_face_detector.dat").path): "), r.stderr)
        XCTAssertTrue(r.stderr.contains("at byte offset"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }
}
