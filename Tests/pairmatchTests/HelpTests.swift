@testable import pairmatch
import XCTest

/// The help text users see, exactly.
final class HelpTests: XCTestCase {
    func testRootHelpListsEveryJob() {
        let help = Pairmatch.helpMessage(columns: 100)
        XCTAssertTrue(help.hasPrefix("OVERVIEW: Are these two photos the same person? Face pair matching on a plain CPU.\n"))
        for command in ["compare", "embed", "detect", "score", "train-head", "train-encoder", "eval", "enroll", "identify", "verify", "gallery", "models", "bench"] {
            XCTAssertTrue(help.contains("\n  \(command) "), "root help does not list \(command)")
        }
        XCTAssertTrue(help.contains("Exit codes: 0 success; 1 some inputs of a batch failed"))
    }

    func testCompareHelp() {
        let actual = Pairmatch.helpMessage(for: CompareCommand.self, columns: 100)
        XCTAssertEqual(actual, """
        OVERVIEW: Are these two photos the same person? Prints the probability, distance and verdict.

        Uses the largest face of each photo (a warning names photos with several; --face-a/--face-b pick
        another). A photo with no face is an error (exit 2). With --json: {"probability", "distance",
        "same", "threshold", "a": {"path", "box", "faces_found"}, "b": {...}}.

        USAGE: pairmatch compare [<options>] <a> <b>

        ARGUMENTS:
          <a>                     First photo.
          <b>                     Second photo.

        OPTIONS:
          --json                  Print one JSON object.
          --face-a <n>            Use the N-th largest face of A (1 = largest). (default: 1)
          --face-b <n>            Use the N-th largest face of B (1 = largest). (default: 1)
          --head <file>           Logistic head file (default: head.h5 in the models folder).
          --prior <p>             Prior probability that a pair is the same person (default 0.5, the head's
                                  own).
          --aligned               Inputs are already aligned 150×150 face chips (other sizes are resized);
                                  no detection.
          --upsample <n>          Upsample photos N times before detecting (finds faces under ~80 px;
                                  slower). (default: 0)
          --no-retry              Do not retry small photos (under 400 px) upsampled when no face is found.
          --min-face <px>         Ignore faces smaller than this many pixels across. (default: 0)
          --detection-threshold <t>
                                  Detector score threshold (dlib's default 0). (default: 0.0)
          --jitter <n>            Average each embedding over N jittered copies of the chip (dlib's
                                  num_jitters; 0 or 1: none). (default: 0)
          --pick <rule>           Which face of a photo with several to use: largest, center or score
                                  (default: center for LFW pairs files, whose photos are centred on their
                                  subject; largest otherwise).
          --max-pixels <n>        Refuse images larger than this many pixels. (default: 50000000)
          --max-bytes <n>         Refuse image and pairs files larger than this many bytes, before reading
                                  them. (default: 268435456)
          --encoder <file>        Encoder file (default: encoder.h5 in the models folder); one from
                                  train-encoder reads whole images unless its domain is faces.
          --models <dir>          Folder of imported models (default: $PAIRMATCH_MODELS, else
                                  ~/.local/share/pairmatch/models).
          --threads <n>           Worker threads (default: all cores).
          --version               Show the version.
          -h, --help              Show help information.

        """)
    }

    func testUsageErrorsExitWith64() throws {
        let r = try CLIRunner.run(["compare", "only-one.jpg"])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("Missing expected argument '<b>'"), r.stderr)
        let bad = try CLIRunner.run(["compare", "a.jpg", "b.jpg", "--prior", "1.5"])
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("--prior must be strictly between 0 and 1"), bad.stderr)
    }
}
