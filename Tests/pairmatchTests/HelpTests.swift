@testable import pairmatch
import XCTest

/// The help text users see, exactly.
final class HelpTests: XCTestCase {
    func testRootHelpListsEveryJob() {
        let help = Pairmatch.helpMessage(columns: 100)
        XCTAssertTrue(help.hasPrefix("OVERVIEW: Are these two photos the same person? Face pair matching on a plain CPU.\n"))
        for command in ["compare", "embed", "detect", "score", "train-head", "train-encoder", "eval", "enroll", "identify", "verify", "gallery", "serve", "models", "bench"] {
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

    func testServeHelpNamesItsOptionsAndContracts() {
        let help = Pairmatch.helpMessage(for: ServeCommand.self, columns: 100)
        XCTAssertTrue(help.hasPrefix("OVERVIEW: Serve compare, identify, verify and enrolment over HTTP (JSON API under /v1, a web page\nat /).\n"))
        XCTAssertTrue(help.contains("USAGE: pairmatch serve <options>"))
        for line in [
            "  --host <address>        Address to listen on (0.0.0.0: every interface). (default: 127.0.0.1)",
            "  --port <port>           TCP port (0: any free port, printed once bound). (default: 8080)",
            "  --gallery <location>    Gallery: people.db (SQLite), sqlite:PATH,\n                          postgres://USER@HOST:PORT/DATABASE (password in PGPASSWORD), or FILE.h5.\n                          (default: people.db)",
            "  --api-key-file <file>   File of API keys, one per line (blank lines and # comments ignored).",
            "  --require-key-for-reads Require an API key for every /v1 route and /metrics, not only writes.",
            "  --max-body-bytes <n>    Largest request body, bytes. (default: 8388608)",
            "  --queue <n>             Requests that may wait for a worker; one more answers 503. (default: 64)",
            "  --workers <n>           Inference worker threads (default: all cores).",
            "  --max-pixels <n>        Refuse images larger than this many pixels. (default: 50000000)",
        ] {
            XCTAssertTrue(help.contains(line + "\n"), "serve help lacks: \(line)")
        }
        for phrase in ["Retry-After: 1", "'Authorization: Bearer KEY' or 'x-api-key: KEY'", "/v1/openapi.json",
                       "'pairmatch: listening on http://HOST:PORT'", "SIGTERM or SIGINT"] {
            XCTAssertTrue(help.replacingOccurrences(of: "\n", with: " ").contains(phrase), "serve help lacks: \(phrase)")
        }
    }

    func testGalleryCopyHelp() {
        XCTAssertEqual(Pairmatch.helpMessage(for: GalleryCopyCommand.self, columns: 80), """
        OVERVIEW: Copy a gallery into a new one, between HDF5, SQLite and PostgreSQL
        any way.

        FROM and TO are gallery locations (people.h5, people.db, sqlite:PATH,
        postgres://USER@HOST:PORT/DATABASE). TO must not exist or be empty: a gallery
        is never replaced by mistake (a PostgreSQL database must exist: pairmatch
        creates its tables, not the database). Identities, their order, every
        embedding, metadata and the created/updated times are kept; TO is written in
        one transaction (SQLite, PostgreSQL) or one atomic file (HDF5), and read back
        and compared before the command reports success.

        USAGE: pairmatch gallery copy <from> <to>

        ARGUMENTS:
          <from>                  The gallery to copy.
          <to>                    The new gallery.

        OPTIONS:
          --version               Show the version.
          -h, --help              Show help information.

        """)
    }

    func testBenchServeHelpNamesTheRunsAndTheBaseline() {
        let help = Pairmatch.helpMessage(for: BenchServeCommand.self, columns: 100).replacingOccurrences(of: "\n", with: " ")
        for phrase in ["Needs wrk on PATH", "/v1/compare (A and B) and /v1/identify (B)", "never timeouts",
                       "Baseline: the same workflows in this process on all cores.",
                       "--duration <s>          Seconds per wrk run. (default: 30)",
                       "--concurrency <list>    Concurrency levels, comma-separated. (default: 1,4,16)"] {
            XCTAssertTrue(help.contains(phrase), "bench serve help lacks: \(phrase)")
        }
    }

    func testBenchEncoderHelpAndRefusals() throws {
        let help = Pairmatch.helpMessage(for: BenchEncoderCommand.self, columns: 100).replacingOccurrences(of: "\n", with: " ")
        for phrase in ["--layers", "one-thread OpenBLAS sgemm of its im2col product", "--json", "ms_per_face"] {
            XCTAssertTrue(help.contains(phrase), "bench encoder help lacks: \(phrase)")
        }
        for (args, message) in [(["--batch", "0"], "--batch 0: give 1 to 256 faces"), (["--threads", "0"], "--threads 0: give 1 to 64 threads"),
                                (["--seconds", "0"], "--seconds 0.0: give a positive number")] {
            let run = try CLIRunner.run(["bench", "encoder"] + args)
            XCTAssertEqual(run.status, 64, args.joined(separator: " "))
            XCTAssertTrue(run.stderr.contains(message), run.stderr)
        }
    }

    func testBenchClusterHelpNamesWhatItMeasuresAndItsRefusals() throws {
        let help = Pairmatch.helpMessage(for: BenchClusterCommand.self, columns: 100).replacingOccurrences(of: "\n", with: " ")
        for phrase in ["Needs wrk and nginx", "must be empty", "reused", "with one instance of 2 workers, then with two instances of 1 worker each",
                       "--people <n>            Synthetic people in the gallery. (default: 1000000)",
                       "PAIRMATCH_PGPASSFILE"] {
            XCTAssertTrue(help.contains(phrase), "bench cluster help lacks: \(phrase)")
        }
        let notPostgres = try CLIRunner.run(["bench", "cluster", "--gallery", "people.db"])
        XCTAssertEqual(notPostgres.status, 64)
        XCTAssertTrue(notPostgres.stderr.contains("--gallery must be a postgres:// URL"), notPostgres.stderr)
        let noPeople = try CLIRunner.run(["bench", "cluster", "--gallery", "postgres://u@127.0.0.1:1/d", "--people", "0"])
        XCTAssertEqual(noPeople.status, 64)
        XCTAssertTrue(noPeople.stderr.contains("--people must be from 1"), noPeople.stderr)
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
