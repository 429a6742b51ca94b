import FaceEmbedding
import Gallery

/// Which implementation holds a gallery.
public enum GalleryStoreKind: String, Sendable {
    /// One HDF5 file (`FaceGallery+Persistence`), rewritten atomically under its `FileLock` on every change.
    case hdf5
    /// An SQLite database in WAL mode (`SQLiteGalleryStore`): one transaction per enrolment, readers never blocked.
    case sqlite
    /// A PostgreSQL database (`PostgresGalleryStore`, `postgres://USER@HOST:PORT/DATABASE`): one transaction per
    /// enrolment, writers of every process serialised on the `meta` row, readers never blocked.
    case postgres
}

/// A durable gallery. Implementations are thread-safe (a class with internal locking / GRDB's DatabaseQueue or
/// DatabasePool / a few PostgreSQL connections) and may be shared by every thread of a process; several processes may
/// use one store at once. Every call is synchronous: it returns once the store has answered.
///
/// The in-memory search form is always `FaceGallery`: a store loads it whole (`load`) and applies changes itself
/// (`enroll`, `remove`, `importAll`), so a reader keeps its `FaceGallery` and reloads when `changeToken` moves.
/// Errors name `location`.
public protocol GalleryStore: AnyObject, Sendable {
    /// The path (or location text) the user gave, for messages.
    var location: String { get }
    /// The implementation behind this store.
    var kind: GalleryStoreKind { get }

    /// Whether the store exists yet (an HDF5 path with no file, or an SQLite file never created, is "not yet").
    /// Something at the path that is not a gallery counts as existing (`load` then says what is wrong with it).
    func exists() -> Bool

    /// The whole gallery as the in-memory search form. With `expectingEncoder`/`dimension` non-nil, a gallery of another
    /// encoder fingerprint / embedding size throws (GalleryError.encoderMismatch / .dimensionMismatch, naming the location).
    /// A missing store throws GalleryStoreError.missing(location). Corrupt content throws (never a wrong gallery).
    /// Identities come in enrolment order, each identity's embeddings in the order they were enrolled.
    func load(expectingEncoder: String?, dimension: Int?) throws -> FaceGallery

    /// Enrols each entry of `batch` (validated exactly as FaceGallery.enroll validates; names NFC via FaceGallery.normalizedName),
    /// creating the store when missing with `encoderFingerprint`/`dimension`; a store of another encoder or dimension throws
    /// before anything is written. `committed(i, result)` is called for each entry, in order, once that entry is durable
    /// (SQLite, PostgreSQL: one transaction per entry, so a kill after entry i's callback keeps entries 0...i whole; HDF5: the whole batch
    /// is one atomic file rewrite under the FileLock, callbacks after the rename). A per-entry refusal (invalid name,
    /// alreadyEnrolled with .refuse, non-finite embedding, dimension mismatch) is reported as `.failure` for that entry and
    /// the others go on; store-level failures (I/O, corrupt, lock held past `lockWait`) throw.
    ///
    /// When no entry can be enrolled, a missing store is not created (and an HDF5 file is not rewritten).
    /// A throw in the middle of an SQLite or PostgreSQL batch leaves the entries already reported committed.
    func enroll(_ batch: [GalleryEnrolment], encoderFingerprint: String, dimension: Int,
                committed: (Int, Result<FaceGallery.EnrolmentOutcome, GalleryError>) -> Void) throws

    /// Removes the person `name` (NFC-normalised first) in one transaction; false when there is no such person (or
    /// `name` is not a valid name). A missing store throws GalleryStoreError.missing.
    func remove(name: String) throws -> Bool

    /// Writes every identity of `gallery` into this store, which must not exist yet or be empty (else throws
    /// GalleryStoreError.notEmpty): `gallery copy`. One transaction / one atomic write. Keeps created/updated, order, metadata.
    /// The store takes the gallery's encoder fingerprint and dimension (an empty store's own are replaced).
    func importAll(_ gallery: FaceGallery) throws

    /// A number that changes whenever any process commits a change to this store (SQLite, PostgreSQL: a generation counter
    /// in a meta table incremented by exactly 1 in every write transaction; HDF5: derived from the file's inode + mtime +
    /// size), so a long-running reader can tell cheaply (a few small queries / one stat) that its in-memory copy is
    /// stale. nil when the store does not exist.
    func changeToken() throws -> Int64?

    /// Creates the store's tables, or upgrades them to the schema this pairmatch writes, without enrolling anything
    /// (`pairmatch gallery migrate`), in one transaction. nil for the kinds with no schema to manage (HDF5, SQLite: their
    /// format is written whole by the first write). Refuses (never modifies) another application's database and a newer
    /// schema.
    func migrate() throws -> GalleryMigration?

    /// Whether the store is a database server that several machines share (PostgreSQL): then a long-running reader
    /// keeps its in-memory copy in step by following commits (`watchCommits`, `changes(since:…)`, a poll of
    /// `changeToken`) on a thread of its own and answers reads from memory even while the server is unreachable, instead
    /// of asking the store on every read. False (the default) for files on this machine.
    var isShared: Bool { get }

    /// The people changed by commits after `generation` (the change token a reader's copy reflects), each as it stands
    /// in one snapshot of the store, read in one transaction (`GalleryChanges`); empty when nothing changed. nil when
    /// the store cannot tell (no change log (the default), the log no longer covers every generation since then, the
    /// generation is ahead of the store's (a restored backup), or so many people changed that loading the whole gallery
    /// is cheaper): then the reader loads the whole gallery. Checks the encoder and dimension as `load` does; a missing
    /// store throws `GalleryStoreError.missing`; a damaged row throws `.corrupt`.
    func changes(since generation: Int64, expectingEncoder: String?, dimension: Int?) throws -> GalleryChanges?

    /// Subscribes to commits of every process (PostgreSQL: `LISTEN` on a connection of its own; every write transaction
    /// sends a `NOTIFY` that the server delivers when it commits): `onCommit` is called (on a store thread; it must not
    /// block) soon after each commit. nil when the store has no notifications (the default). Throws `.unavailable` when
    /// the server cannot be reached. Notifications only shorten the wait: a reader still polls `changeToken`, since a
    /// notification sent while the watch was down is lost.
    func watchCommits(_ onCommit: @escaping @Sendable () -> Void) throws -> (any GalleryCommitWatch)?
}

extension GalleryStore {
    /// No schema to manage.
    public func migrate() throws -> GalleryMigration? { nil }
}

/// What `GalleryStore.migrate` did: the schema version found (0: no tables; equal to `to`: nothing to do) and the
/// version the store now has.
public struct GalleryMigration: Sendable, Equatable {
    public var from: Int
    public var to: Int

    public init(from: Int, to: Int) {
        self.from = from
        self.to = to
    }
}

/// One person to enrol: `name` (normalised to NFC by the store), `embeddings` (each `[D]`, one per photo, all
/// kept), optional free-form `metadata`, and what to do when the name is already enrolled.
public struct GalleryEnrolment: Sendable, Equatable {
    public var name: String
    /// `[count]` embeddings, each `[D]`.
    public var embeddings: [Embedding]
    public var metadata: String?
    public var policy: FaceGallery.ExistingIdentityPolicy

    public init(name: String, embeddings: [Embedding], metadata: String? = nil, policy: FaceGallery.ExistingIdentityPolicy = .extend) {
        self.name = name
        self.embeddings = embeddings
        self.metadata = metadata
        self.policy = policy
    }
}
