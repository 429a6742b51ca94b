import Foundation
import Gallery
import GalleryStore

/// Whether a `LiveGallery`'s in-memory copy follows its store.
public enum GalleryStatus: Sendable, Equatable {
    /// The store answered the last poll (or the gallery is a file on this machine).
    case inStep
    /// A shared store (PostgreSQL) could not be read since `since` (`reason`: the store's one-line error): reads answer
    /// from the copy in memory, which may lack changes made through other instances since then; writes fail with
    /// `.unavailable` until the store answers again and the copy has caught up.
    case offline(since: Date, reason: String)

    /// True for `.offline`.
    public var isOffline: Bool {
        if case .offline = self { return true }
        return false
    }
}

extension LiveGallery {
    /// One round of the follower: (re)opens the commit watch when it is gone, then catches up with the store. The
    /// first failure marks the copy offline (and drops the watch, whose connection is likely dead too); the first
    /// success after that marks it in step again.
    func followRound(_ watch: inout (any GalleryCommitWatch)?, wake: @escaping @Sendable () -> Void) {
        if let w = watch, !w.isAlive {
            w.stop()
            watch = nil
        }
        do throws(WorkflowError) {
            if watch == nil {
                do { watch = try store.watchCommits(wake) } catch { throw WorkflowError.gallery(error) }
            }
            try catchUp()
            markInStep()
        } catch {
            markOffline(error.message)
            watch?.stop()
            watch = nil
        }
    }

    /// Brings the matrix to the store's current generation: nothing when the change token has not moved, the changed
    /// people (`GalleryStore.changes(since:…)`, applied with `FaceGallery.setPeople`) when the store can list them for
    /// a copy of the same gallery, else a whole reload. Holds `writeLock` throughout (writers wait; readers go on with
    /// the old matrix until the new one is swapped in under the write side of `lock`).
    func catchUp() throws(WorkflowError) {
        writeLock.lock()
        defer { writeLock.unlock() }
        let current: Int64?
        do { current = try store.changeToken() } catch { throw WorkflowError.gallery(error) }
        let (mine, created) = withLockedState { (token, gallery.created) }
        guard current != mine else { return }
        if let mine, current != nil {
            let changes: GalleryChanges?
            do { changes = try store.changes(since: mine, expectingEncoder: encoderFingerprint, dimension: dimension) } catch {
                throw WorkflowError.gallery(error)
            }
            if let changes, changes.created == created {
                pthread_rwlock_wrlock(&lock)
                defer { pthread_rwlock_unlock(&lock) }
                if (try? gallery.setPeople(changes.people.map { ($0.name, $0.identity) })) != nil {
                    token = changes.generation
                    return
                }
            }
        }
        let (fresh, freshToken) = try Self.loadState(store, encoderFingerprint: encoderFingerprint, dimension: dimension)
        pthread_rwlock_wrlock(&lock)
        gallery = fresh
        token = freshToken
        pthread_rwlock_unlock(&lock)
    }

    /// Records that the store could not be used (keeping the first failure's time).
    func markOffline(_ reason: String) {
        pthread_rwlock_wrlock(&lock)
        let new: GalleryStatus
        if case .offline(let since, _) = _status { new = .offline(since: since, reason: reason) } else { new = .offline(since: Date(), reason: reason) }
        let changed = !_status.isOffline
        _status = new
        pthread_rwlock_unlock(&lock)
        if changed { onStatusChange?(new) }
    }

    /// Records that the store answered and the copy has caught up.
    func markInStep() {
        pthread_rwlock_wrlock(&lock)
        let changed = _status != .inStep
        _status = .inStep
        pthread_rwlock_unlock(&lock)
        if changed { onStatusChange?(.inStep) }
    }
}

/// The thread that follows a shared store for one `LiveGallery`: a round (`LiveGallery.followRound`) whenever the
/// store notifies a commit, a write of this process asks (`wake`), or `interval` seconds pass. It holds the gallery
/// weakly and ends with `stop` or when the gallery is gone.
final class GalleryFollower: @unchecked Sendable {
    /// Signalled to start a round early.
    private let signal = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopped = false   // guarded by lock

    init(_ gallery: LiveGallery, interval: Double) {
        let thread = Thread { [weak gallery, self] in
            var watch: (any GalleryCommitWatch)?
            let wake: @Sendable () -> Void = { [signal] in signal.signal() }
            while true {   // the first round at once: it opens the watch
                guard !isStopped, let gallery else { break }
                gallery.followRound(&watch, wake: wake)
                _ = signal.wait(timeout: .now() + interval)
            }
            watch?.stop()
        }
        thread.name = "pairmatch-gallery-follower"
        thread.start()
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    /// Starts a round now (or as soon as the current one ends).
    func wake() { signal.signal() }

    /// Ends the thread after its current round. Idempotent.
    func stop() {
        lock.withLock { stopped = true }
        signal.signal()
    }
}
