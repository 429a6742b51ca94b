import Foundation
import TestSupport
import XCTest

/// The small ways a user's input went wrong silently (issue "Files that cannot be silently wrong"), each as the
/// failure it prevents.
final class SmallInputsTests: XCTestCase {
    let photo = TestPaths.repositoryRoot.appendingPathComponent("Data/samples/obama.jpg").path

    /// "--prior -0.5" is a bad value, not a missing one.
    func testNegativePriorIsNamedAsOutOfRange() throws {
        let r = try CLIRunner.run(["compare", "--prior", "-0.5", photo, photo])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("--prior must be strictly between 0 and 1"), r.stderr)
        XCTAssertFalse(r.stderr.contains("Missing value"), r.stderr)
    }

    /// With a very low detection threshold, boxes mostly outside the photo are not faces to match.
    func testBoxesOutsideThePhotoAreNeverReported() throws {
        let models = try CLIRunner.models()
        let r = try CLIRunner.run(["detect", "--json", "--detection-threshold", "-5", "--models", models.path, photo])
        XCTAssertEqual(r.status, 0, r.stderr)
        let o = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let w = o["width"] as! Int, h = o["height"] as! Int
        let faces = o["faces"] as! [[String: Any]]
        XCTAssertGreaterThan(faces.count, 1, "a threshold of -5 finds many candidates")
        for f in faces {
            let b = f["box"] as! [Int]                      // [left, top, right, bottom], inclusive
            let bw = b[2] - b[0] + 1, bh = b[3] - b[1] + 1
            let iw = max(0, min(b[2], w - 1) - max(b[0], 0) + 1), ih = max(0, min(b[3], h - 1) - max(b[1], 0) + 1)
            XCTAssertGreaterThanOrEqual(2 * iw * ih, bw * bh, "box \(b) lies mostly outside the \(w)×\(h) photo")
        }
    }

    /// dlib's num_jitters: 1 means no jitter, exactly as 0.
    func testJitterOneIsNoJitter() throws {
        let models = try CLIRunner.modelsWithHead()
        let other = TestPaths.repositoryRoot.appendingPathComponent("Data/samples/obama2.jpg").path
        func output(_ jitter: String) throws -> String {
            let r = try CLIRunner.run(["compare", "--json", "--jitter", jitter, "--models", models.path, photo, other])
            XCTAssertEqual(r.status, 0, r.stderr)
            return r.stdout
        }
        XCTAssertEqual(try output("1"), try output("0"))
        XCTAssertNotEqual(try output("2"), try output("0"))
    }
}
