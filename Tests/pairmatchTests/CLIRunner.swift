import Foundation
import TestSupport
import XCTest

/// Runs the built `pairmatch` binary (beside the test bundle in .build/<config>/) and captures its output.
struct CLIRunner {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }

        /// Each stdout line as a JSON object; a line that is not one is a test failure (never a crash of the test
        /// process) and is left out.
        func jsonLines(file: StaticString = #filePath, line: UInt = #line) -> [[String: Any]] {
            stdout.split(separator: "\n").compactMap { text in
                guard let o = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
                    XCTFail("not a JSON object: \(text.prefix(200))", file: file, line: line)
                    return nil
                }
                return o
            }
        }
    }

    static var binary: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if dir.path.hasSuffix(".xctest/Contents/MacOS") { dir = dir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
        return dir.appendingPathComponent("pairmatch")
    }

    /// Runs `pairmatch args…` in `directory` (default: the repository root) with `environment` added.
    /// With `fileSizeLimitBlocks`, the binary runs under `/bin/sh -c 'ulimit -f N'` (512-byte blocks), as a
    /// stand-in for a full disk.
    static func run(_ args: [String], in directory: URL = TestPaths.repositoryRoot, environment: [String: String] = [:],
                    fileSizeLimitBlocks: Int? = nil) throws -> Result {
        let p = Process()
        if let blocks = fileSizeLimitBlocks {
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "ulimit -f \(blocks) && exec \"$0\" \"$@\"", binary.path] + args
        } else {
            p.executableURL = binary
            p.arguments = args
        }
        p.currentDirectoryURL = directory
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// The models folder, or a skip naming why the test cannot run.
    static func models() throws -> URL {
        guard let m = TestPaths.models else { throw XCTSkip(TestPaths.skipReason("no imported models (run make models)")) }
        return m
    }

    /// The models folder holding a head too.
    static func modelsWithHead() throws -> URL {
        let m = try models()
        guard FileManager.default.fileExists(atPath: m.appendingPathComponent("head.h5").path) else {
            throw XCTSkip(TestPaths.skipReason("no head.h5 in \(m.path) (run make models)"))
        }
        return m
    }

    /// A 150×150 aligned chip that dlib extracted, committed as a fixture.
    static var chip: URL { TestPaths.fixtures.appendingPathComponent("FaceAlignment/Aaron_Guiel_0001_0.png") }
}
