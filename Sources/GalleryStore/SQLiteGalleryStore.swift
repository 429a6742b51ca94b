import Foundation
import Gallery
import GRDB
import WeightStore
#if canImport(Glibc)
import Glibc
#endif

/// The gallery as an SQLite database (through GRDB), schema in `GallerySchema`.
///
/// Transactions: every change (one enrolment, one removal, a whole import) is one `BEGIN IMMEDIATE` transaction,
/// committed with `synchronous=FULL` in WAL mode, so it is on disk when the call reports it; a kill at any moment
/// leaves the last committed state. Loads read one consistent snapshot (a WAL read transaction) and never wait for a
/// writer. Writers of several processes queue on SQLite's lock for up to `busyTimeout` seconds, then
/// `GalleryStoreError.busy`.
///
/// Nothing is created on disk until the first write: with no file (or an empty one) the store does not exist yet.
/// The database is opened on first use and kept open (a `DatabasePool`: one writer and a few reader connections);
/// when the file at `path` is replaced or removed, the next call opens the new one. Every connection checks, as it
/// opens, that the file is a fresh database or a gallery of a format this code reads, so another application's
/// database is refused before anything (even the switch to WAL mode) is written to it.
final class SQLiteGalleryStore: GalleryStore, @unchecked Sendable {
    let location: String
    var kind: GalleryStoreKind { .sqlite }
    /// The database file (absolute).
    let path: String
    /// SQLite's busy timeout, seconds.
    let busyTimeout: Double

    /// Guards `opened`.
    private let state = NSLock()
    /// The open database and the (device, inode) of the file it was opened on.
    private var opened: (pool: DatabasePool, device: UInt64, inode: UInt64)?

    init(location: String, path: String, busyTimeout: Double) {
        self.location = location
        self.path = path
        self.busyTimeout = busyTimeout
    }

    func exists() -> Bool {
        do {
            guard let pool = try database(creating: false) else { return false }
            return try pool.read { db in try GallerySchema.contents(db, location: self.location) == .gallery }
        } catch {
            return true   // something is there that is not a fresh database: `load` says what
        }
    }

    func changeToken() throws -> Int64? {
        try mapped {
            guard let pool = try database(creating: false) else { return nil }
            return try pool.read { db in try GallerySchema.generation(db, location: self.location) }
        }
    }

    // MARK: - The connection

    /// The open database. Without `creating`, nil when there is no file or an empty one (nothing is created);
    /// with it, the file is created when missing. Throws what opening throws (mapped by the caller).
    func database(creating: Bool) throws -> DatabasePool? {
        state.lock()
        defer { state.unlock() }
        var s = stat()
        let present = stat(path, &s) == 0
        if let current = opened {
            if present, UInt64(s.st_dev) == current.device, UInt64(s.st_ino) == current.inode { return current.pool }
            opened = nil   // the file was replaced or removed since: open what is there now
        }
        guard creating || (present && s.st_size > 0) else { return nil }
        if !present || s.st_size == 0 { try initialiseFile() }
        let pool = try DatabasePool(path: path, configuration: configuration())
        // GRDB's WAL set-up chooses synchronous=NORMAL; every commit of a gallery must be durable.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        guard stat(path, &s) == 0 else { throw GalleryStoreError.database(location: location, reason: "the file vanished while opening it") }
        opened = (pool, UInt64(s.st_dev), UInt64(s.st_ino))
        return pool
    }

    /// Gives a missing or empty (0-byte) file a first page, in rollback-journal mode, before WAL mode is ever used on
    /// it, holding the `FileLock` beside it (`.NAME.lock`) so that processes creating one gallery at once do it one
    /// after the other.
    ///
    /// Why: SQLite treats a `-wal` file beside a 0-byte database as stale and deletes it when it opens the database.
    /// A gallery created directly in WAL mode keeps its first pages in the WAL until a checkpoint, so a second
    /// process opening it meanwhile would delete the first one's WAL while it is still writing to it (two diverging
    /// logs: lost commits, half-written rows). With a first page in the file itself that cannot happen.
    private func initialiseFile() throws {
        let lock: FileLock
        do { lock = try FileLock.acquire(for: URL(fileURLWithPath: path), wait: busyTimeout) } catch {
            if case .locked = error { throw GalleryStoreError.busy(location: location, waited: busyTimeout) }
            throw GalleryStoreError.database(location: location, reason: error.description)
        }
        defer { lock.release() }
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        let location = self.location
        config.prepareDatabase { db in _ = try GallerySchema.contents(db, location: location) }
        let queue = try DatabaseQueue(path: path, configuration: config)   // rollback journal: writes go to the file
        try queue.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                var s = stat()
                if stat(path, &s) == 0, s.st_size == 0 {
                    try db.execute(sql: "CREATE TABLE pairmatch_first_page (x); DROP TABLE pairmatch_first_page")
                }
                return .commit
            }
        }
        try queue.close()
    }

    /// Busy timeout, foreign keys, and the check run as each connection opens.
    private func configuration() -> Configuration {
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.foreignKeysEnabled = true
        config.label = "pairmatch.gallery"
        config.maximumReaderCount = 4
        let location = self.location
        config.prepareDatabase { db in _ = try GallerySchema.contents(db, location: location) }
        return config
    }

    /// The open gallery database for a read or a change of an existing gallery, else `.missing`.
    func existingDatabase() throws -> DatabasePool {
        guard let pool = try database(creating: false) else { throw GalleryStoreError.missing(location: location) }
        return pool
    }

    // MARK: - Errors

    /// Runs `body`, turning GRDB's errors into `GalleryStoreError`s naming the location.
    func mapped<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DatabaseError {
            throw storeError(error)
        }
    }

    /// The `GalleryStoreError` for an SQLite failure.
    func storeError(_ error: DatabaseError) -> GalleryStoreError {
        let message = error.message ?? "SQLite error \(error.resultCode.rawValue)"
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .busy(location: location, waited: busyTimeout)
        case .SQLITE_NOTADB: return .notAGallery(location: location, reason: "not an SQLite database: \(message)")
        case .SQLITE_CORRUPT: return .corrupt(location: location, reason: message)
        default: return .database(location: location, reason: message)
        }
    }
}
