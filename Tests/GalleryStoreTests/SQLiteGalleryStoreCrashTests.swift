import FaceEmbedding
import Foundation
import Gallery
@testable import GalleryStore
import GRDB
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Crash safety and concurrent writers, with real processes: the test bundle runs itself again as a child
/// (`/proc/self/exe` with one test selected and an environment variable saying what to do), the child enrols
/// people one per transaction, and the parent kills it with SIGKILL or runs two at once.
final class SQLiteGalleryStoreCrashTests: XCTestCase {
    /// Set in a child that enrols numbered people into the gallery at this path until killed.
    static let crashChildVariable = "PAIRMATCH_STORE_CRASH_CHILD"
    /// Set in a child that enrols `PAIRMATCH_STORE_WRITER_COUNT` people named `PAIRMATCH_STORE_WRITER_PREFIX-…` and exits.
    static let writerChildVariable = "PAIRMATCH_STORE_WRITER_CHILD"
    static let prefixVariable = "PAIRMATCH_STORE_WRITER_PREFIX"
    static let countVariable = "PAIRMATCH_STORE_WRITER_COUNT"
    /// A folder where each writer child leaves `ready-PREFIX` and waits for `PAIRMATCH_STORE_WRITER_PARTIES` such
    /// files, so the children start writing at the same moment however long each took to start.
    static let barrierVariable = "PAIRMATCH_STORE_WRITER_BARRIER"
    static let partiesVariable = "PAIRMATCH_STORE_WRITER_PARTIES"
    /// The test method the children run.
    static let childTest = "GalleryStoreTests.SQLiteGalleryStoreCrashTests/testChildProcess"

    private var folder: URL!
    override func setUp() { folder = StoreTestData.folder() }
    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    // MARK: - The child

    /// Does nothing unless started as a child by the tests below.
    func testChildProcess() throws {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment[Self.crashChildVariable] {
            try Self.enrolUntilKilled(path)
        } else if let path = environment[Self.writerChildVariable] {
            let prefix = environment[Self.prefixVariable] ?? "w"
            if let barrier = environment[Self.barrierVariable] {
                try Self.meet(at: URL(fileURLWithPath: barrier), as: prefix, parties: Int(environment[Self.partiesVariable] ?? "") ?? 1)
            }
            try Self.enrolNumbered(path, prefix: prefix, count: Int(environment[Self.countVariable] ?? "") ?? 10)
        }
    }

    /// Enrols person-N, person-N+1, … (N = the people already stored), one per transaction, printing
    /// "committed NAME" after each callback, until killed (or 120 s, a safety net).
    static func enrolUntilKilled(_ path: String) throws {
        let store = try GalleryStores.open(path, lockWait: 30)
        let start = store.exists() ? try store.load(expectingEncoder: StoreTestData.encoder, dimension: nil).count : 0
        let deadline = Date().addingTimeInterval(120)
        var i = start
        while Date() < deadline {
            let person = StoreTestData.numberedPerson(i)
            try store.enroll([person], encoderFingerprint: StoreTestData.encoder, dimension: StoreTestData.numberedDimension) { _, result in
                switch result {
                case .success: emit("committed \(person.name)\n")
                case .failure(let e): emit("refused \(person.name): \(e)\n")
                }
            }
            i += 1
        }
    }

    /// Leaves `folder/ready-NAME` and waits (up to 60 s) until `parties` ready files are there.
    static func meet(at folder: URL, as name: String, parties: Int) throws {
        try Data().write(to: folder.appendingPathComponent("ready-" + name))
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let ready = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("ready-") }
            if ready.count >= parties { return }
            usleep(500)
        }
    }

    /// Enrols `prefix-000000` … one per call (creating the store if it is missing), printing "start T" before the first
    /// and "end T" after the last (T: seconds since 1970), then returns.
    static func enrolNumbered(_ path: String, prefix: String, count: Int) throws {
        let store = try GalleryStores.open(path, lockWait: 30)
        emit("start \(Date().timeIntervalSince1970)\n")
        defer { emit("end \(Date().timeIntervalSince1970)\n") }
        for i in 0..<count {
            let person = StoreTestData.numberedPerson(i, prefix: prefix)
            var ok = false
            try store.enroll([person], encoderFingerprint: StoreTestData.encoder, dimension: StoreTestData.numberedDimension) { _, result in
                if case .success = result { ok = true }
            }
            XCTAssertTrue(ok, "\(person.name) refused")
            emit("committed \(person.name)\n")
        }
    }

    /// One unbuffered write(2) of `line` to standard output (atomic on a pipe: shorter than PIPE_BUF).
    static func emit(_ line: String) {
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }

    // MARK: - Spawning

    /// This test bundle started again with only `childTest` selected and `environment` added; its standard output
    /// is piped back, its standard error goes to `log`.
    private func spawnChild(_ environment: [String: String], log: URL) throws -> (Process, FileHandle) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = [Self.childTest]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = Pipe()
        process.standardOutput = out
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, out.fileHandleForReading)
    }

    /// Lines starting "committed " read from `pipe` so far, split off complete lines in `buffer`.
    static func committedNames(_ buffer: inout Data) -> [String] {
        var names: [String] = []
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
            buffer.removeSubrange(buffer.startIndex...newline)
            if line.hasPrefix("committed ") { names.append(String(line.dropFirst("committed ".count))) }
        }
        return names
    }

    // MARK: - Tests

    func testKilledWritersLoseNoCommittedPersonAndLeaveNoHalfPerson() throws {
        let path = folder.appendingPathComponent("crash.db").path
        var printed: [String] = []   // every name a child reported committed, all rounds
        var previousToken: Int64?
        for round in 0..<3 {
            // a different moment each round: after 3…42 commits, then 0…5 ms more of writing
            let threshold = 3 + Int.random(in: 0..<40)
            let delay = UInt32.random(in: 0..<5_000)
            let log = folder.appendingPathComponent("child-\(round).log")
            let (child, output) = try spawnChild([Self.crashChildVariable: path], log: log)
            var buffer = Data()
            var thisRound: [String] = []
            var killed = false
            while true {
                let chunk = output.availableData
                if chunk.isEmpty { break }   // EOF: the child is gone
                buffer.append(chunk)
                thisRound += Self.committedNames(&buffer)
                if !killed, thisRound.count >= threshold {
                    usleep(delay)
                    kill(child.processIdentifier, SIGKILL)
                    killed = true
                }
            }
            child.waitUntilExitSafely()
            let stderr = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            XCTAssertTrue(killed, "round \(round): the child ended before \(threshold) commits: \(stderr)")
            XCTAssertEqual(child.terminationReason, .uncaughtSignal, "round \(round): killed, not finished: \(stderr)")
            XCTAssertEqual(child.terminationStatus, SIGKILL, "round \(round)")
            printed += thisRound
            print("round \(round): killed after \(threshold) commits + \(delay) µs; \(thisRound.count) reported committed")

            // reopen: everything reported is there and whole, nothing half-written, nothing beyond one unreported person
            let store = try GalleryStores.open(path)
            let g = try store.load(expectingEncoder: StoreTestData.encoder, dimension: StoreTestData.numberedDimension)
            let names = g.identities.map(\.name)
            XCTAssertEqual(names, (0..<g.count).map { StoreTestData.numberedPerson($0).name }, "round \(round): people in order, no gap")
            XCTAssertEqual(Array(names.prefix(printed.count)), printed, "round \(round): every reported person is stored")
            XCTAssertTrue(g.count == printed.count || g.count == printed.count + 1,
                          "round \(round): \(g.count) stored, \(printed.count) reported (at most one committed unreported)")
            for identity in g.identitiesWithEmbeddings {
                let i = Int(identity.name.dropFirst("person-".count))!
                let expected = StoreTestData.numberedPerson(i)
                XCTAssertEqual(identity.embeddings.count, expected.embeddings.count, "round \(round): \(identity.name) has all its embeddings")
                XCTAssertTrue(identity.embeddings == expected.embeddings, "round \(round): \(identity.name)'s embeddings are the ones enrolled")
                XCTAssertEqual(identity.metadata, expected.metadata, "round \(round): \(identity.name)")
            }
            let check = try DatabaseQueue(path: path).read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            XCTAssertEqual(check, ["ok"], "round \(round)")
            let token = try store.changeToken()
            XCTAssertNotNil(token)
            XCTAssertNotEqual(token, previousToken, "round \(round): the child's commits changed the token")
            previousToken = token
            // later rounds continue where the store is (the unreported person, if any, is kept)
            printed = names
        }
    }

    func testConcurrentWritersLoseNothing() throws {
        let path = folder.appendingPathComponent("shared.db").path
        let store = try GalleryStores.open(path)
        XCTAssertNil(try store.changeToken())
        let count = 60
        let barrier = folder.appendingPathComponent("barrier")
        try FileManager.default.createDirectory(at: barrier, withIntermediateDirectories: true)
        let children = try ["a", "b"].map { prefix in
            try spawnChild([Self.writerChildVariable: path, Self.prefixVariable: prefix, Self.countVariable: String(count),
                            Self.barrierVariable: barrier.path, Self.partiesVariable: "2"],
                           log: folder.appendingPathComponent("writer-\(prefix).log"))
        }
        var reported: [[String]] = []
        var spans: [(start: Double, end: Double)] = []   // when each child was writing
        for (child, output) in children {
            var all = Data()
            while true {
                let chunk = output.availableData
                if chunk.isEmpty { break }
                all.append(chunk)
            }
            let lines = String(decoding: all, as: UTF8.self).split(separator: "\n")
            func time(_ tag: String) -> Double { lines.first { $0.hasPrefix(tag + " ") }.flatMap { Double($0.dropFirst(tag.count + 1)) } ?? .nan }
            spans.append((time("start"), time("end")))
            var buffer = all
            let names = Self.committedNames(&buffer)
            child.waitUntilExitSafely()
            XCTAssertEqual(child.terminationReason, .exit)
            XCTAssertEqual(child.terminationStatus, 0, "a writer failed")
            reported.append(names)
        }
        for (i, prefix) in ["a", "b"].enumerated() {
            XCTAssertEqual(reported[i], (0..<count).map { StoreTestData.numberedPerson($0, prefix: prefix).name }, prefix)
        }
        let g = try store.load(expectingEncoder: StoreTestData.encoder, dimension: StoreTestData.numberedDimension)
        XCTAssertEqual(g.count, 2 * count, "nothing lost")
        // the two really wrote at the same time (SQLite's busy waiting need not alternate them, so only the times tell)
        let owners = g.identities.map { $0.name.prefix(1) }
        let runs = zip(owners, owners.dropFirst()).filter { $0 != $1 }.count + 1
        print("concurrent writers: spans \(spans), \(runs) runs of one writer's people in enrolment order")
        XCTAssertLessThan(max(spans[0].start, spans[1].start), min(spans[0].end, spans[1].end), "the writers overlapped in time")
        for prefix in ["a", "b"] {
            XCTAssertEqual(g.identities.map(\.name).filter { $0.hasPrefix(prefix + "-") },
                           (0..<count).map { StoreTestData.numberedPerson($0, prefix: prefix).name }, "\(prefix) in its own order")
            for i in 0..<count {
                let p = StoreTestData.numberedPerson(i, prefix: prefix)
                XCTAssertTrue(g.embeddings(of: p.name) == p.embeddings, "\(p.name) whole")
            }
        }
        XCTAssertEqual(try store.changeToken(), Int64(1 + 2 * count), "one creation and one commit per person")
    }
}

extension Process {
    /// `waitUntilExit`, which on Linux can return before `terminationReason` is set: also polls `isRunning`.
    func waitUntilExitSafely() {
        waitUntilExit()
        while isRunning { usleep(1000) }
    }
}
