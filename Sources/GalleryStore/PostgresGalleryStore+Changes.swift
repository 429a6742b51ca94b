import FaceEmbedding
import Foundation
import Gallery
import NIOCore
import PostgresNIO

/// Following a PostgreSQL gallery from several processes: every write transaction sends `NOTIFY pairmatch_gallery`
/// (delivered by the server when it commits) and logs the people it changed in `change_log`; a reader listens on the
/// channel and, woken or on its own poll, reads the people changed since the generation its copy reflects.
extension PostgresGalleryStore {
    /// The notification channel of every pairmatch gallery (notifications are per database).
    static let channel = "pairmatch_gallery"
    /// Above this many changed people a reader loads the whole gallery instead (one streamed read is cheaper than
    /// thousands of per-person rows).
    static let maximumChangedPeople: Int64 = 20_000
    /// The `application_name` of a listening connection (the others are "pairmatch").
    static let listenerName = "pairmatch listener"

    var isShared: Bool { true }

    /// See `GalleryStore.changes(since:…)`: one `REPEATABLE READ` snapshot; nil when `generation` is ahead of the
    /// store's, below 1, when some generation after it has no `change_log` row (every write logs at least one), or when
    /// more than `maximumChangedPeople` people changed.
    func changes(since generation: Int64, expectingEncoder: String?, dimension expected: Int?) throws -> GalleryChanges? {
        try withSession { session in
            try session.transaction("ISOLATION LEVEL REPEATABLE READ READ ONLY") {
                try Self.readChanges(session, since: generation, expectingEncoder: expectingEncoder, dimension: expected)
            }
        }
    }

    /// `changes`' body, inside a read transaction.
    static func readChanges(_ session: PostgresSession, since generation: Int64, expectingEncoder: String?,
                            dimension expected: Int?) throws -> GalleryChanges? {
        let location = session.location
        guard case .gallery(let meta) = try PostgresSchema.contents(session) else { throw GalleryStoreError.missing(location: location) }
        try StoredEnrolment.checkExpected(location: location, storedEncoder: meta.encoderFingerprint, storedDimension: meta.dimension,
                                          expectingEncoder: expectingEncoder, dimension: expected)
        let none = GalleryChanges(generation: meta.generation, created: meta.created, people: [])
        guard meta.generation != generation else { return none }
        guard generation >= 1, meta.generation > generation else { return nil }
        let window = "generation > \(generation) AND generation <= \(meta.generation)"
        let (generations, people) = try session.rows(PostgresQuery(unsafeSQL: """
            SELECT count(DISTINCT generation), count(DISTINCT person) FROM change_log WHERE \(window)
            """))[0].decode((Int64, Int64).self)
        guard generations == meta.generation - generation, people <= maximumChangedPeople else { return nil }
        let names = try session.rows(PostgresQuery(unsafeSQL: """
            SELECT person FROM change_log WHERE \(window) GROUP BY person ORDER BY max(id)
            """)).map { try $0.decode(String.self) }   // [c]

        var person = [String: (id: Int64, metadata: String?)]()
        for row in try session.rows("SELECT id, name, metadata FROM people WHERE name = ANY(\(names))") {
            let (id, name, metadata) = try row.decode((Int64, String, String?).self)
            person[name] = (id, metadata)
        }
        var embeddings = [Int64: [Embedding]]()   // person id → [count] embeddings, each [D]
        let ids = person.values.map(\.id)
        if !ids.isEmpty {
            guard let d = meta.dimension else {
                throw GalleryStoreError.corrupt(location: location, reason: "people are enrolled but meta dimension is NULL")
            }
            for row in try session.rows("SELECT id, person_id, vector, checksum FROM embeddings WHERE person_id = ANY(\(ids)) ORDER BY id") {
                let (rowID, owner, vector, checksum) = try row.decode((Int64, Int64, ByteBuffer, Int64).self)
                switch vector.withUnsafeReadableBytes({ EmbeddingBlob.decode($0, checksum: checksum, dimension: d) }) {
                case .success(let e): embeddings[owner, default: []].append(e)
                case .failure(let f): throw GalleryStoreError.corrupt(location: location, reason: "embedding \(rowID): \(f.reason)")
                }
            }
        }
        let changed = try names.map { name -> ChangedPerson in
            guard let stored = person[name] else { return ChangedPerson(name: name, identity: nil) }
            guard let list = embeddings[stored.id], !list.isEmpty else {
                throw GalleryStoreError.corrupt(location: location, reason: "person \(SQLiteGalleryStore.quote(name)) has no embedding")
            }
            return ChangedPerson(name: name, identity: FaceGallery.StoredIdentity(name: name, metadata: stored.metadata, embeddings: list))
        }
        return GalleryChanges(generation: meta.generation, created: meta.created, people: changed)
    }

    /// See `GalleryStore.watchCommits`: a connection of its own (not from the idle pool) listening on `channel`;
    /// returns once the server has confirmed the `LISTEN`.
    func watchCommits(_ onCommit: @escaping @Sendable () -> Void) throws -> (any GalleryCommitWatch)? {
        do {
            guard MultiThreadedEventLoopGroup.currentEventLoop == nil else {
                throw GalleryStoreError.database(location: location, reason: "called on a SwiftNIO event loop thread; call the store from a plain thread")
            }
            let connection = try connect()
            connection.addListener(channel: Self.channel) { _, _ in onCommit() }
            // Statements run in order on a connection: once this answers, the LISTEN sent before it is in effect. The
            // name tells operators (pg_stat_activity) which connections are listeners.
            do {
                try PostgresSession(connection: connection, location: location, answerTimeout: answerTimeout)
                    .execute("SELECT set_config('application_name', \(Self.listenerName), false)")
            } catch {
                Self.closeSoon(connection)
                throw error
            }
            return PostgresCommitWatch(connection: connection)
        } catch {
            throw storeError(error)
        }
    }
}

/// The listening connection of `watchCommits`.
final class PostgresCommitWatch: GalleryCommitWatch, @unchecked Sendable {
    private let connection: PostgresConnection

    init(connection: PostgresConnection) { self.connection = connection }

    var isAlive: Bool { !connection.isClosed }

    func stop() { if !connection.isClosed { PostgresGalleryStore.closeSoon(connection) } }

    deinit { stop() }
}

extension PostgresSchema {
    /// Asks the server to wake every listener of `PostgresGalleryStore.channel` when this transaction commits
    /// (the payload is the new generation; listeners read the log, not the payload).
    static func notify(_ session: PostgresSession, generation: Int64) throws {
        try session.execute("SELECT pg_notify(\(PostgresGalleryStore.channel), \(String(generation)))")
    }
}
