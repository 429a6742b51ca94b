import Foundation
import Gallery
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// The gallery in a PostgreSQL database (through postgres-nio), schema in `PostgresSchema`, at a location
/// `postgres://USER@HOST:PORT/DATABASE` (`PostgresLocation`: the password comes from `PGPASSWORD` or the file named by
/// `PAIRMATCH_PGPASSFILE`, never from the URL; TLS is off, for a server on loopback or a trusted network).
///
/// Transactions: every change (one enrolment, one removal, a whole import, a schema migration) is one transaction;
/// each first locks the one `meta` row (`SELECT … FOR UPDATE`), so writers of every process queue there (for up to
/// `lockTimeout` seconds, else `GalleryStoreError.busy`) and `meta.generation` moves by exactly 1 per commit. A commit
/// is durable when the call reports it (the server's `synchronous_commit`); a client killed at any moment leaves the
/// last committed state (the server rolls an open transaction back when the connection drops). Loads read one
/// `REPEATABLE READ` snapshot and never wait for a writer.
///
/// The database must exist (the store never creates databases) and be empty or hold a pairmatch schema: nothing is
/// created until the first write, a database holding other tables is refused (`.notAGallery`), a newer schema is
/// refused (`.unsupportedFormat`); neither is ever modified.
///
/// Threads: the protocol is synchronous; each call sends its queries from the calling thread and blocks it until the
/// answers arrive on the store's own event loop (one thread shared by every PostgreSQL store of the process). So
/// callers must not be on a SwiftNIO event loop (such a call throws instead of deadlocking); plain threads, the CLI's
/// main thread and the server's inference workers are fine. Connections are opened on first use (connect timeout
/// `connectTimeout`) and kept (up to `maximumIdleConnections` idle ones) for the store's lifetime; each is used by one
/// call at a time. An unreachable server, a missing database or a refused login is `GalleryStoreError.unavailable`
/// naming the location (which never holds a password), within a few seconds.
final class PostgresGalleryStore: GalleryStore, @unchecked Sendable {
    let location: String
    var kind: GalleryStoreKind { .postgres }
    /// Host, port, user, database and password.
    let endpoint: PostgresLocation
    /// Seconds a writer waits for another one's transaction (the session's `lock_timeout`).
    let lockTimeout: Double

    /// Seconds to wait for the server to accept a connection and the login.
    static let connectTimeout = 5.0
    /// Seconds one statement may go unanswered (`PostgresSession`): 10 s beyond the longest lock wait.
    var answerTimeout: Double { lockTimeout + 10 }
    /// Open connections kept for reuse.
    static let maximumIdleConnections = 4

    /// The one event loop thread of every PostgreSQL store in the process (never shut down: it lives as long as the process).
    private static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    /// postgres-nio logs nothing of ours: failures are thrown.
    static let logger = Logger(label: "pairmatch.gallery.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    private static let connectionIDs = NSLock()
    nonisolated(unsafe) private static var lastConnectionID = 0

    /// Guards `idle`.
    private let state = NSLock()
    /// Open connections not in use.
    private var idle: [PostgresConnection] = []

    init(location: String, endpoint: PostgresLocation, lockTimeout: Double) {
        self.location = location
        self.endpoint = endpoint
        self.lockTimeout = lockTimeout
    }

    deinit {
        for connection in idle { Self.closeSoon(connection) }
    }

    func exists() -> Bool {
        do {
            return try withSession { session in
                if case .gallery = try PostgresSchema.contents(session) { return true }
                return false
            }
        } catch {
            return true   // unreachable, or something there that is not an empty database: `load` says what
        }
    }

    func changeToken() throws -> Int64? {
        try withSession { session in
            guard case .gallery(let meta) = try PostgresSchema.contents(session) else { return nil }
            return meta.generation
        }
    }

    // MARK: - Sessions

    /// Runs `body` with a connection of this store (an idle one, or a new one), then keeps the connection for reuse
    /// unless it failed. Errors become `GalleryStoreError`s naming the location (`GalleryError`s pass unchanged).
    func withSession<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        do {
            guard MultiThreadedEventLoopGroup.currentEventLoop == nil else {
                throw GalleryStoreError.database(location: location, reason: "called on a SwiftNIO event loop thread, where waiting for the server would deadlock; call the store from a plain thread")
            }
            let session = PostgresSession(connection: try borrow(), location: location, answerTimeout: answerTimeout)
            do {
                let result = try body(session)
                giveBack(session)
                return result
            } catch {
                giveBack(session)
                throw error
            }
        } catch {
            throw storeError(error)
        }
    }

    /// An idle open connection, else a new one.
    private func borrow() throws -> PostgresConnection {
        state.lock()
        while let connection = idle.popLast() {
            if !connection.isClosed {
                state.unlock()
                return connection
            }
            Self.closeSoon(connection)
        }
        state.unlock()
        return try connect()
    }

    /// Keeps `session`'s connection for the next call when it is healthy and there is room, else closes it.
    private func giveBack(_ session: PostgresSession) {
        let connection = session.connection
        guard !session.broken, !connection.isClosed else { return Self.closeSoon(connection) }
        state.lock()
        let keep = idle.count < Self.maximumIdleConnections
        if keep { idle.append(connection) }
        state.unlock()
        if !keep { Self.closeSoon(connection) }
    }

    /// A new connection, logged in, with the session settings set; waits at most `connectTimeout` (+ 1 s for the login).
    func connect() throws -> PostgresConnection {
        var configuration = PostgresConnection.Configuration(host: endpoint.host, port: endpoint.port, username: endpoint.user,
                                                             password: endpoint.password, database: endpoint.database, tls: .disable)
        configuration.options.connectTimeout = .milliseconds(Int64(Self.connectTimeout * 1000))
        configuration.options.additionalStartupParameters = [("application_name", "pairmatch")]
        Self.connectionIDs.lock()
        Self.lastConnectionID += 1
        let id = Self.lastConnectionID
        Self.connectionIDs.unlock()
        let future = PostgresConnection.connect(on: Self.eventLoops.next(), configuration: configuration, id: id, logger: Self.logger)
        let waiter = ConnectionWaiter()
        future.whenComplete { waiter.complete($0) }
        let patience = Self.connectTimeout + 1   // postgres-nio's own timeout covers the TCP connect; this one the login too
        guard let result = waiter.wait(seconds: patience) else {
            throw GalleryStoreError.unavailable(location: location, reason: "no answer from \(endpoint.address) within \(Int(patience)) s")
        }
        let connection = try result.get()
        let session = PostgresSession(connection: connection, location: location, answerTimeout: answerTimeout)
        do {
            let milliseconds = String(Int64((lockTimeout * 1000).rounded(.up)))
            try session.execute("SELECT set_config('lock_timeout', \(milliseconds), false), set_config('idle_in_transaction_session_timeout', '60000', false)")
        } catch {
            Self.closeSoon(connection)
            throw error
        }
        return connection
    }

    /// Closes `connection` without waiting, keeping it alive until it is closed (postgres-nio requires that).
    static func closeSoon(_ connection: PostgresConnection) {
        connection.close().whenComplete { _ in _ = connection }
    }

    // MARK: - Errors

    /// The `GalleryStoreError` for a failure of postgres-nio (server errors by SQLSTATE, connection failures, rows of
    /// unexpected types); `GalleryStoreError`s and `GalleryError`s unchanged.
    func storeError(_ error: any Error) -> any Error {
        switch error {
        case is GalleryStoreError, is GalleryError: return error
        case let e as PSQLError: return storeError(e)
        case let e as PostgresDecodingError:
            return GalleryStoreError.corrupt(location: location, reason: "column '\(e.columnName)' holds \(e.postgresType), not \(e.targetType)")
        case let e as ChannelError: return GalleryStoreError.unavailable(location: location, reason: "connection to \(endpoint.address) failed: \(e)")
        default: return GalleryStoreError.database(location: location, reason: String(describing: error))
        }
    }

    private func storeError(_ error: PSQLError) -> GalleryStoreError {
        func unavailable(_ reason: String) -> GalleryStoreError { .unavailable(location: location, reason: reason) }
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            let message = error.serverInfo?[.message] ?? "server error"
            switch state {
            case "28P01", "28000":
                return unavailable("login refused for user \"\(endpoint.user)\": \(message); give the password in \(PostgresLocation.passwordVariable) or a file named by \(PostgresLocation.passwordFileVariable)")
            case "3D000": return unavailable("\(message); create it first (createdb), pairmatch creates only its tables")
            case "55P03": return .busy(location: location, waited: lockTimeout)
            case "57P01", "57P02", "57P03", "53300": return unavailable("\(message) (SQLSTATE \(state))")
            default: return .database(location: location, reason: "\(message) (SQLSTATE \(state))")
            }
        case .connectionError:
            return unavailable("cannot connect to \(endpoint.address): \(Self.describe(error.underlying))")
        case .authMechanismRequiresPassword:
            return unavailable("the server asks user \"\(endpoint.user)\" for a password: set \(PostgresLocation.passwordVariable) or \(PostgresLocation.passwordFileVariable)")
        case .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
            return unavailable("the connection to \(endpoint.address) was closed")
        default:
            return .database(location: location, reason: "\(error.code)" + (error.underlying.map { ": \(Self.describe($0))" } ?? ""))
        }
    }

    /// A connection failure in a few words: "connection refused", "no answer within 5 s", or NIO's description.
    private static func describe(_ error: (any Error)?) -> String {
        guard let error else { return "unknown error" }
        if case ChannelError.connectTimeout = error { return "no answer within \(Int(connectTimeout)) s" }
        if let e = error as? NIOConnectionError {
            if let first = e.connectionErrors.first { return describe(first.error) }
            if let dns = e.dnsAError ?? e.dnsAAAAError { return "cannot resolve \(e.host): \(dns)" }
            return "cannot connect to \(e.host)"
        }
        if let e = error as? IOError {
            switch e.errnoCode {
            case ECONNREFUSED: return "connection refused (is the server running and listening there?)"
            case ETIMEDOUT: return "timed out"
            case EHOSTUNREACH, ENETUNREACH: return "host unreachable"
            default: return e.description
            }
        }
        return String(describing: error)
    }
}

/// Waits (on a plain thread) for a connection attempt that completes on the event loop; a connection that arrives
/// after the caller gave up is closed.
private final class ConnectionWaiter: @unchecked Sendable {
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<PostgresConnection, any Error>?
    private var abandoned = false

    func complete(_ result: Result<PostgresConnection, any Error>) {
        lock.lock()
        let late = abandoned
        if !late { self.result = result }
        lock.unlock()
        if late, case .success(let connection) = result { PostgresGalleryStore.closeSoon(connection) }
        done.signal()
    }

    /// The attempt's result, or nil after `seconds` without one.
    func wait(seconds: Double) -> Result<PostgresConnection, any Error>? {
        _ = done.wait(timeout: .now() + seconds)
        lock.lock()
        defer { lock.unlock() }
        if result == nil { abandoned = true }
        return result
    }
}

/// One connection lent to one call: runs statements and waits for their answers. Not for use by two threads at once.
///
/// A statement the server leaves unanswered for `answerTimeout` seconds (a frozen server, a network that drops
/// packets without resetting the connection) gives the connection up: it is closed and the call throws
/// `GalleryStoreError.unavailable`, so no caller waits forever. A streamed read (`forEach`) may take `streamTimeout`.
final class PostgresSession {
    let connection: PostgresConnection
    let location: String
    /// Seconds one statement may take (more than any lock wait the store asks the server for).
    let answerTimeout: Double
    /// Seconds a whole streamed read may take.
    static let streamTimeout = 600.0
    /// Set when the connection's state is unknown (a failed ROLLBACK, an unanswered statement): it is closed instead of reused.
    private(set) var broken = false

    init(connection: PostgresConnection, location: String, answerTimeout: Double = 15) {
        self.connection = connection
        self.location = location
        self.answerTimeout = answerTimeout
    }

    /// The rows `query` returns.
    @discardableResult
    func rows(_ query: PostgresQuery) throws -> [PostgresRow] {
        try answer(connection.query(query, logger: PostgresGalleryStore.logger), within: answerTimeout).rows
    }

    /// Runs `query`; returns the number of rows it inserted, updated or deleted (nil for other statements).
    @discardableResult
    func execute(_ query: PostgresQuery) throws -> Int? {
        try answer(connection.query(query, logger: PostgresGalleryStore.logger), within: answerTimeout).metadata.rows
    }

    /// Runs `query`, calling `onRow` for each row as it arrives (on the event loop thread, one row at a time, all before
    /// this returns): for results too large to hold as rows.
    func forEach(_ query: PostgresQuery, _ onRow: @escaping @Sendable (PostgresRow) throws -> Void) throws {
        _ = try answer(connection.query(query, logger: PostgresGalleryStore.logger, onRow), within: Self.streamTimeout)
    }

    /// The value of `future`, or (after `seconds` without one) the connection closed and `.unavailable` thrown.
    private func answer<T: Sendable>(_ future: EventLoopFuture<T>, within seconds: Double) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let result = AnswerBox<T>()
        future.whenComplete { outcome in
            result.set(outcome)
            done.signal()
        }
        guard done.wait(timeout: .now() + seconds) == .success, let outcome = result.get() else {
            broken = true
            PostgresGalleryStore.closeSoon(connection)
            throw GalleryStoreError.unavailable(location: location, reason: "no answer from the server within \(Int(seconds)) s")
        }
        return try outcome.get()
    }

    /// Runs `body` in one transaction (`BEGIN` with `mode`, e.g. "ISOLATION LEVEL REPEATABLE READ READ ONLY"), committed
    /// when it returns, rolled back when it throws (the error is rethrown).
    func transaction<T>(_ mode: String = "", _ body: () throws -> T) throws -> T {
        try execute(PostgresQuery(unsafeSQL: mode.isEmpty ? "BEGIN" : "BEGIN " + mode))
        let result: T
        do {
            result = try body()
        } catch {
            do { try execute("ROLLBACK") } catch { broken = true }
            throw error
        }
        do { try execute("COMMIT") } catch {
            broken = true
            throw error
        }
        return result
    }
}

/// The outcome of a future, handed from the event loop to the waiting thread.
private final class AnswerBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var outcome: Result<T, any Error>?
    func set(_ r: Result<T, any Error>) { lock.withLock { outcome = r } }
    func get() -> Result<T, any Error>? { lock.withLock { outcome } }
}
