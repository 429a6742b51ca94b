import Foundation
import TestSupport
import WeightStore
import XCTest

/// A second writer of one file waits or is refused with the holder's pid; a clean release leaves no lock file.
final class FileLockTests: XCTestCase {
    func testSecondWriterIsRefusedWithTheHoldersPidAndNothingIsLeftBehind() throws {
        let dir = TestPaths.temporaryDirectory("filelock")
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("g.h5")
        let first = try FileLock.acquire(for: target)
        XCTAssertEqual(first.lockFile.lastPathComponent, ".g.h5.lock")
        XCTAssertThrowsError(try FileLock.acquire(for: target)) {
            XCTAssertEqual($0 as? FileLockError, .locked(path: target.path, pid: getpid(), waited: 0))
            XCTAssertTrue("\($0)".contains("locked by pid \(getpid())"), "\($0)")
        }
        first.release()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [], "no lock file left")
        let again = try FileLock.acquire(for: target)
        again.release()
    }

    func testAWaitingWriterGetsTheLockWhenTheHolderLetsGo() throws {
        let dir = TestPaths.temporaryDirectory("filelock-wait")
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("out.csv")
        let first = try FileLock.acquire(for: target)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { first.release() }
        var waitedFor: Int32?? = nil
        let started = Date()
        let second = try FileLock.acquire(for: target, wait: 10) { waitedFor = $0 }
        XCTAssertEqual(waitedFor, .some(getpid()))
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 0.2)
        XCTAssertTrue(second.isHeld)
        second.release()
        XCTAssertThrowsError(try FileLock.acquire(for: dir.appendingPathComponent("missing/x.h5"))) {
            guard case .cannotLock = $0 as? FileLockError else { return XCTFail("\($0)") }
        }
    }

    /// A lock file left by a killed writer (its flock died with it) does not block the next one.
    func testAStaleLockFileIsTaken() throws {
        let dir = TestPaths.temporaryDirectory("filelock-stale")
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("g.h5")
        try Data("999999\n".utf8).write(to: FileLock.lockURL(for: target))
        let lock = try FileLock.acquire(for: target)
        XCTAssertEqual(try String(contentsOf: lock.lockFile, encoding: .utf8), "\(getpid())\n")
        lock.release()
    }

    /// Many threads incrementing a counter file under the lock never lose an update (each holder re-reads the file).
    func testConcurrentReadModifyWritesUnderTheLockLoseNothing() throws {
        let dir = TestPaths.temporaryDirectory("filelock-counter")
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("count.txt")
        try AtomicFile.write(Data("0".utf8), to: target)
        DispatchQueue.concurrentPerform(iterations: 40) { _ in
            let lock = try! FileLock.acquire(for: target, wait: 30)
            let n = Int(try! String(contentsOf: target, encoding: .utf8))!
            try! AtomicFile.write(Data("\(n + 1)".utf8), to: target)
            lock.release()
        }
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "40")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["count.txt"])
    }
}
