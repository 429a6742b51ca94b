import Foundation
import TestSupport
import XCTest

extension CLIRunner {
    /// Runs `pairmatch args…` like `run`, but kills it (SIGKILL) after `timeout` seconds so a hang fails the test
    /// instead of blocking the suite. `timedOut` says whether it had to be killed.
    static func run(_ args: [String], timeout: TimeInterval, in directory: URL = TestPaths.repositoryRoot) throws -> (result: Result, timedOut: Bool) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        let done = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in done.signal() }
        try p.run()
        final class Box: @unchecked Sendable { var data = Data() }
        let o = Box(), e = Box()
        let group = DispatchGroup()
        for (box, pipe) in [(o, out), (e, err)] {
            group.enter()
            DispatchQueue.global().async { box.data = pipe.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        }
        let timedOut = done.wait(timeout: .now() + timeout) == .timedOut
        if timedOut {
            kill(p.processIdentifier, SIGKILL)
            done.wait()
        }
        group.wait()
        let r = Result(status: p.terminationStatus, stdout: String(decoding: o.data, as: UTF8.self),
                       stderr: String(decoding: e.data, as: UTF8.self))
        return (r, timedOut)
    }
}
