import FaceEmbedding
import Foundation
import Gallery
import GalleryStore

/// The gallery of a long-running process (the server): a durable store (SQLite, PostgreSQL or HDF5) and the in-memory search
/// matrix kept in step with it.
///
/// Consistency: readers run under a read lock and see one whole gallery; an enrolment or removal commits to the store
/// first (one transaction), then applies the same change to the matrix under the write lock, so memory never holds
/// a change the store does not. When another process commits to the store (a CLI `enroll` beside the server),
/// `read` notices through the store's change token and reloads the matrix before answering. Search speed does not
/// depend on the store: it always runs on the in-memory `FaceGallery`.
public final class LiveGallery: @unchecked Sendable {
    /// Guarded by `lock`: the matrix and the store's change token it reflects.
    private var gallery: FaceGallery
    private var token: Int64?
    private let store: any GalleryStore
    private let encoderFingerprint: String
    private let dimension: Int
    private var lock = pthread_rwlock_t()
    /// Serialises writers (store commit + in-memory apply happen as one step).
    private let writeLock = NSLock()
    private var closed = false

    /// The gallery of `store` for embeddings of this encoder (`dimension` components); a store that does not exist
    /// yet is an empty gallery (created by the first enrolment). A store of another encoder or size is refused.
    public init(store: any GalleryStore, encoderFingerprint: String, dimension: Int) throws(WorkflowError) {
        self.store = store
        self.encoderFingerprint = encoderFingerprint
        self.dimension = dimension
        pthread_rwlock_init(&lock, nil)
        (gallery, token) = try Self.loadState(store, encoderFingerprint: encoderFingerprint, dimension: dimension)
    }

    /// Opens the store at `location` (`people.db`, `sqlite:PATH` → SQLite; `postgres://USER@HOST:PORT/DATABASE` →
    /// PostgreSQL; other paths → the HDF5 file).
    public static func open(_ location: String, encoderFingerprint: String, dimension: Int, lockWait: Double = 5) throws(WorkflowError) -> LiveGallery {
        let store: any GalleryStore
        do { store = try GalleryStores.open(location, lockWait: lockWait) } catch { throw WorkflowError(.gallery, "\(error)") }
        return try LiveGallery(store: store, encoderFingerprint: encoderFingerprint, dimension: dimension)
    }

    deinit { pthread_rwlock_destroy(&lock) }

    /// Where the store lives, as the user gave it.
    public var location: String { store.location }

    /// Runs `body` on the current gallery under the read lock, after reloading it when another process committed.
    public func read<R>(_ body: (FaceGallery) throws(WorkflowError) -> R) throws(WorkflowError) -> R {
        try refreshIfStale()
        pthread_rwlock_rdlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        return try body(gallery)
    }

    /// The number of enrolled identities (as of the last read or write; no store access).
    public var count: Int { withRead { $0.count } }
    /// The number of stored embeddings (as of the last read or write).
    public var embeddingCount: Int { withRead { $0.embeddingCount } }

    /// Enrols `name` with `embeddings` in one store transaction, then in memory. Gallery refusals are typed
    /// (bad name → `.badInput`, `.refuse` of an enrolled name → `.conflict`); store failures are `.gallery`.
    public func enroll(name: String, embeddings: [Embedding], metadata: String?,
                       policy: FaceGallery.ExistingIdentityPolicy) throws(WorkflowError) -> FaceGallery.EnrolmentOutcome {
        writeLock.lock()
        defer { writeLock.unlock() }
        try ensureOpen()
        try refreshIfStale(holdingWriteLock: true)
        var result: Result<FaceGallery.EnrolmentOutcome, GalleryError>?
        do {
            try store.enroll([GalleryEnrolment(name: name, embeddings: embeddings, metadata: metadata, policy: policy)],
                             encoderFingerprint: encoderFingerprint, dimension: dimension) { _, r in result = r }
        } catch {
            throw WorkflowError.gallery(error)
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
        do { removed = try store.remove(name: name) } catch { throw WorkflowError.gallery(error) }
        guard removed else { throw WorkflowError(.unknownPerson, "\(location): no person named '\(name)'") }
        applyInMemory { g in g.remove(name: (try? FaceGallery.normalizedName(name)) ?? name) }
    }

    /// Refuses further writes (reads of the in-memory gallery go on). Idempotent.
    public func close() {
        writeLock.lock()
        closed = true
        writeLock.unlock()
    }

    // MARK: internals

    private func ensureOpen() throws(WorkflowError) {
        guard !closed else { throw WorkflowError(.gallery, "\(location): the gallery is closed (the server is shutting down)") }
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
        if store.kind != .hdf5, let before = token, let newToken, newToken == before &+ 1 { token = newToken }
        pthread_rwlock_unlock(&lock)
    }

    /// Reloads the matrix when the store's change token differs from the one it reflects.
    ///
    /// The reload runs under `writeLock` (taken here unless the caller, a writer, holds it): between a writer's
    /// commit and its in-memory apply the token is stale, and a reload in that window would load the commit and
    /// then have the writer apply it a second time. Under the lock the token is checked again, so a reader that
    /// waited for a writer reloads only when the store still holds a change the matrix lacks.
    private func refreshIfStale(holdingWriteLock: Bool = false) throws(WorkflowError) {
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
        do { current = try store.changeToken() } catch { throw WorkflowError(.gallery, "\(error)") }
        pthread_rwlock_rdlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        return current != token
    }

    private static func loadState(_ store: any GalleryStore, encoderFingerprint: String,
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
