import FaceEmbedding
import Foundation
import Gallery
import GalleryStore

/// The gallery of a long-running process (the server): a durable store (SQLite, PostgreSQL or HDF5) and the in-memory search
/// matrix kept in step with it.
///
/// Consistency: readers run under a read lock and see one whole gallery; an enrolment or removal commits to the store
/// first (one transaction), then applies the same change to the matrix under the write lock, so memory never holds
/// a change the store does not. Search speed does not depend on the store: it always runs on the in-memory `FaceGallery`.
///
/// Other processes' commits: for a store on this machine (SQLite, HDF5) `read` checks the store's change token and
/// reloads the matrix before answering. A shared database (PostgreSQL, `GalleryStore.isShared`) is followed instead by
/// a thread of this object (`LiveGallery+Following`): woken by the store's commit notifications and at least every
/// `followInterval` seconds, it reads the people changed since the generation the matrix reflects and applies them
/// (`FaceGallery.setPeople`), or reloads the whole gallery when the change log cannot tell. Reads never wait for the
/// database: while it is unreachable they answer from memory and `status` says so (`.offline`), writes fail with
/// `.unavailable`, and the follower resynchronises once the database answers again.
public final class LiveGallery: @unchecked Sendable {
    // Internal, not private, for LiveGallery+Following only.
    /// Guarded by `lock`: the matrix and the store's change token it reflects.
    var gallery: FaceGallery
    var token: Int64?
    let store: any GalleryStore
    let encoderFingerprint: String
    let dimension: Int
    var lock = pthread_rwlock_t()
    /// Serialises writers (store commit + in-memory apply happen as one step) and the follower's catch-up.
    let writeLock = NSLock()
    private var closed = false
    /// Guarded by `lock`: whether the store answered the last time the follower asked.
    var _status: GalleryStatus = .inStep
    /// Told of every change of `status` (on the follower's thread).
    let onStatusChange: (@Sendable (GalleryStatus) -> Void)?
    /// The thread following a shared store (nil for a store on this machine); set once, in `init`.
    private var follower: GalleryFollower?

    /// The gallery of `store` for embeddings of this encoder (`dimension` components); a store that does not exist
    /// yet is an empty gallery (created by the first enrolment). A store of another encoder or size is refused.
    /// A shared store (PostgreSQL) is followed by a thread from here on (`followInterval`: the longest wait between two
    /// polls of its change token, seconds) until `close`; `onStatusChange` hears when it goes offline and back.
    public init(store: any GalleryStore, encoderFingerprint: String, dimension: Int, followInterval: Double = 0.5,
                onStatusChange: (@Sendable (GalleryStatus) -> Void)? = nil) throws(WorkflowError) {
        self.onStatusChange = onStatusChange
        self.store = store
        self.encoderFingerprint = encoderFingerprint
        self.dimension = dimension
        pthread_rwlock_init(&lock, nil)
        (gallery, token) = try Self.loadState(store, encoderFingerprint: encoderFingerprint, dimension: dimension)
        if store.isShared { follower = GalleryFollower(self, interval: followInterval) }
    }

    /// Opens the store at `location` (`people.db`, `sqlite:PATH` → SQLite; `postgres://USER@HOST:PORT/DATABASE` →
    /// PostgreSQL; other paths → the HDF5 file).
    public static func open(_ location: String, encoderFingerprint: String, dimension: Int, lockWait: Double = 5,
                            followInterval: Double = 0.5,
                            onStatusChange: (@Sendable (GalleryStatus) -> Void)? = nil) throws(WorkflowError) -> LiveGallery {
        let store: any GalleryStore
        do { store = try GalleryStores.open(location, lockWait: lockWait) } catch { throw WorkflowError.gallery(error) }
        return try LiveGallery(store: store, encoderFingerprint: encoderFingerprint, dimension: dimension, followInterval: followInterval,
                               onStatusChange: onStatusChange)
    }

    deinit {
        follower?.stop()
        pthread_rwlock_destroy(&lock)
    }

    /// Where the store lives, as the user gave it.
    public var location: String { store.location }

    /// Whether the matrix follows the store (always `.inStep` for a store on this machine, whose failures are thrown by
    /// the call that met them instead).
    public var status: GalleryStatus { withLockedState { _status } }

    /// The store's generation the matrix reflects (its change token; nil before the store exists).
    public var generation: Int64? { withLockedState { token } }

    /// Runs `body` on the current gallery under the read lock, after reloading it when another process committed to a
    /// store on this machine. A shared store's matrix is read as the follower last left it, even while the database is
    /// unreachable (see `status`).
    public func read<R>(_ body: (FaceGallery) throws(WorkflowError) -> R) throws(WorkflowError) -> R {
        if follower == nil { try refreshIfStale() }
        pthread_rwlock_rdlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        return try body(gallery)
    }

    /// The number of enrolled identities (as of the last read or write; no store access).
    public var count: Int { withRead { $0.count } }
    /// The number of stored embeddings (as of the last read or write).
    public var embeddingCount: Int { withRead { $0.embeddingCount } }

    /// Enrols `name` with `embeddings` in one store transaction, then in memory. Gallery refusals are typed
    /// (bad name → `.badInput`, `.refuse` of an enrolled name → `.conflict`); store failures are `.gallery`, an
    /// unreachable database `.unavailable` (nothing enrolled). The outcome is the store's (a shared store decides on
    /// the person as the database holds them, whatever this copy holds).
    public func enroll(name: String, embeddings: [Embedding], metadata: String?,
                       policy: FaceGallery.ExistingIdentityPolicy) throws(WorkflowError) -> FaceGallery.EnrolmentOutcome {
        writeLock.lock()
        defer { writeLock.unlock() }
        try ensureOpen()
        if follower == nil { try refreshIfStale(holdingWriteLock: true) }
        var result: Result<FaceGallery.EnrolmentOutcome, GalleryError>?
        do {
            try store.enroll([GalleryEnrolment(name: name, embeddings: embeddings, metadata: metadata, policy: policy)],
                             encoderFingerprint: encoderFingerprint, dimension: dimension) { _, r in result = r }
        } catch {
            throw writeFailure(error, doing: "nothing was enrolled")
        }
        switch result {
        case .failure(let e): throw WorkflowError.gallery(e)
        case nil: throw WorkflowError(.gallery, "\(location): the store reported no outcome for \(name)")
        case .success(let outcome):
            applyInMemory { g in _ = try? g.enroll(name: name, embeddings: embeddings, metadata: metadata, ifEnrolled: policy) }
            return outcome
        }
    }

    /// Removes `name` in one store transaction, then in memory; `.unknownPerson` when nobody has that name.
    public func remove(name: String) throws(WorkflowError) {
        writeLock.lock()
        defer { writeLock.unlock() }
        try ensureOpen()
        let removed: Bool
        do { removed = try store.remove(name: name) } catch { throw writeFailure(error, doing: "nothing was removed") }
        guard removed else { throw WorkflowError(.unknownPerson, "\(location): no person named '\(name)'") }
        applyInMemory { g in g.remove(name: (try? FaceGallery.normalizedName(name)) ?? name) }
    }

    /// Refuses further writes and stops following the store (reads of the in-memory gallery go on). Idempotent.
    public func close() {
        writeLock.lock()
        closed = true
        writeLock.unlock()
        follower?.stop()
    }

    // MARK: internals

    private func ensureOpen() throws(WorkflowError) {
        guard !closed else { throw WorkflowError(.gallery, "\(location): the gallery is closed (the server is shutting down)") }
    }

    /// The error of a failed store write; an unreachable database also marks the copy offline and wakes the follower.
    private func writeFailure(_ error: any Error, doing: String) -> WorkflowError {
        let failure = WorkflowError.gallery(error)
        guard failure.kind == .unavailable else { return failure }
        if follower != nil { markOffline(failure.message) }
        follower?.wake()
        return WorkflowError(.unavailable, failure.message + "; \(doing)")
    }

    func withLockedState<R>(_ body: () -> R) -> R {
        pthread_rwlock_rdlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        return body()
    }

    private func withRead<R>(_ body: (FaceGallery) -> R) -> R {
        pthread_rwlock_rdlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        return body(gallery)
    }

    /// Applies a committed change to the matrix. The store's new token is recorded only when it shows that this
    /// commit was the only one since the matrix was loaded (SQLite's or PostgreSQL's generation moved by exactly one); otherwise the
    /// token is left stale, and the next read reloads the whole gallery, so another process's commit is never hidden.
    private func applyInMemory(_ change: (inout FaceGallery) -> Void) {
        let newToken = try? store.changeToken()
        pthread_rwlock_wrlock(&lock)
        change(&gallery)
        let inStep = store.kind != .hdf5 && token != nil && newToken == token! &+ 1
        if inStep { token = newToken }
        pthread_rwlock_unlock(&lock)
        if !inStep { follower?.wake() }
    }

    /// Reloads the matrix when the store's change token differs from the one it reflects.
    ///
    /// The reload runs under `writeLock` (taken here unless the caller, a writer, holds it): between a writer's
    /// commit and its in-memory apply the token is stale, and a reload in that window would load the commit and
    /// then have the writer apply it a second time. Under the lock the token is checked again, so a reader that
    /// waited for a writer reloads only when the store still holds a change the matrix lacks.
    func refreshIfStale(holdingWriteLock: Bool = false) throws(WorkflowError) {
        guard try isStale() else { return }
        if !holdingWriteLock { writeLock.lock() }
        defer { if !holdingWriteLock { writeLock.unlock() } }
        guard try isStale() else { return }
        let (fresh, freshToken) = try Self.loadState(store, encoderFingerprint: encoderFingerprint, dimension: dimension)
        pthread_rwlock_wrlock(&lock)
        gallery = fresh
        token = freshToken
        pthread_rwlock_unlock(&lock)
    }

    /// Whether the store's change token differs from the one the matrix reflects.
    private func isStale() throws(WorkflowError) -> Bool {
        let current: Int64?
        do { current = try store.changeToken() } catch { throw WorkflowError.gallery(error) }
        pthread_rwlock_rdlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        return current != token
    }

    static func loadState(_ store: any GalleryStore, encoderFingerprint: String,
                                  dimension: Int) throws(WorkflowError) -> (FaceGallery, Int64?) {
        do {
            let token = try store.changeToken()   // read before loading: a commit in between is seen next time
            guard store.exists() else { return (FaceGallery.create(encoderFingerprint: encoderFingerprint, dimension: dimension), token) }
            return (try store.load(expectingEncoder: encoderFingerprint, dimension: dimension), token)
        } catch {
            throw WorkflowError.gallery(error)
        }
    }
}
