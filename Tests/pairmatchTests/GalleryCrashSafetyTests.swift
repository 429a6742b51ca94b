import Foundation
import TestSupport
import XCTest

/// The SQLite gallery through the CLI: `enroll --from-folders` into `people.db` commits one person per transaction and
/// prints "enrolled NAME" only after that commit. Killed with SIGKILL at random moments, the gallery reopens with every
/// printed person present and whole (and nobody half-enrolled); a final run completes the rest.
final class GalleryCrashSafetyTests: XCTestCase {
    func testKilledEnrolmentsLoseNoCommittedPerson() throws {
        let models = try CLIRunner.models()
        let dir = TestPaths.temporaryDirectory("gallery-crash")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folders = dir.appendingPathComponent("people")
        let count = 120
        let chip = try Data(contentsOf: CLIRunner.chip)
        for i in 0..<count {
            let person = folders.appendingPathComponent(String(format: "p%03d", i))
            try FileManager.default.createDirectory(at: person, withIntermediateDirectories: true)
            try chip.write(to: person.appendingPathComponent("a.png"))
            if i % 3 == 0 { try chip.write(to: person.appendingPathComponent("b.png")) }   // some people have two photos
        }
        func photos(_ name: String) -> Int { Int(name.dropFirst())! % 3 == 0 ? 2 : 1 }
        let gallery = dir.appendingPathComponent("people.db").path
        var committed = Set<String>()
        var seed: UInt64 = 7
        for round in 0..<3 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let delay = 0.4 + Double(seed >> 40) / Double(1 << 24) * 1.2   // 0.4 … 1.6 s into the run
            let p = Process()
            p.executableURL = CLIRunner.binary
            // --replace: a person enrolled by an earlier round is rewritten (not doubled) by the next.
            p.arguments = ["enroll", "--gallery", gallery, "--from-folders", folders.path, "--aligned", "--replace", "--threads", "1",
                           "--models", models.path]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            Thread.sleep(forTimeInterval: delay)
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .split(separator: "\n").compactMap { line -> String? in
                    guard line.hasPrefix("enrolled ") || line.hasPrefix("replaced ") else { return nil }
                    return String(line.split(separator: " ")[1])
                }
            committed.formUnion(printed)
            let listed = try list(gallery)
            for name in committed {
                XCTAssertEqual(listed[name], photos(name), "round \(round): \(name) was reported enrolled but is \(listed[name].map { "\($0) photos" } ?? "missing")")
            }
            for (name, n) in listed { XCTAssertEqual(n, photos(name), "round \(round): \(name) is half-enrolled") }
        }
        XCTAssertFalse(committed.isEmpty, "no enrolment was committed before the kills: the test proved nothing")
        let finish = try CLIRunner.run(["enroll", "--gallery", gallery, "--from-folders", folders.path, "--aligned", "--replace", "--models", models.path])
        XCTAssertEqual(finish.status, 0, finish.stderr)
        let all = try list(gallery)
        XCTAssertEqual(all.count, count)
        XCTAssertTrue(all.allSatisfy { $0.value == photos($0.key) })
    }

    /// `gallery list` of `gallery`: name → number of photos.
    private func list(_ gallery: String) throws -> [String: Int] {
        guard FileManager.default.fileExists(atPath: gallery) else { return [:] }
        let r = try CLIRunner.run(["gallery", "list", "--gallery", gallery])
        XCTAssertEqual(r.status, 0, r.stderr)
        var result: [String: Int] = [:]
        for line in r.stdout.split(separator: "\n") {
            let fields = line.split(separator: "\t")
            result[String(fields[0])] = Int(fields[1].split(separator: " ")[0])
        }
        return result
    }
}
