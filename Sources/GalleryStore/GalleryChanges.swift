import Foundation
import Gallery

/// What other processes committed to a store after a generation, as the people it touched now stand: the delta a
/// long-running reader applies to its in-memory `FaceGallery` instead of loading the whole gallery again
/// (`GalleryStore.changes(since:…)`).
///
/// Applying it is idempotent: each person is set to the state read from one snapshot of the store at `generation`
/// (present: these embeddings and this metadata; absent: removed), whatever the reader held for them before. So a
/// reader whose copy reflected generation g, plus possibly some of its own later commits, holds exactly the store's
/// state at `generation` once every person of `people` is set (the people not listed did not change after g).
public struct GalleryChanges: Sendable, Equatable {
    /// The store's generation (its change token) of the snapshot the people were read from.
    public var generation: Int64
    /// When the gallery was created (whole seconds): a reader whose copy has another creation time holds another
    /// gallery (one dropped and made again) and must load it whole instead.
    public var created: Date
    /// Each person changed after the asked-for generation, once, in the order of their last change: the person as
    /// stored now, or `removed` when they are no longer enrolled.
    public var people: [ChangedPerson]

    public init(generation: Int64, created: Date, people: [ChangedPerson]) {
        self.generation = generation
        self.created = created
        self.people = people
    }
}

/// One person of `GalleryChanges`.
public struct ChangedPerson: Sendable, Equatable {
    /// The stored name (NFC).
    public var name: String
    /// The person as stored now (embeddings in enrolment order, each `[D]`), nil when they were removed.
    public var identity: FaceGallery.StoredIdentity?

    public init(name: String, identity: FaceGallery.StoredIdentity?) {
        self.name = name
        self.identity = identity
    }
}

/// A running subscription to a store's commit notifications (`GalleryStore.watchCommits`): one connection of its own
/// that the server keeps open. Thread-safe.
public protocol GalleryCommitWatch: AnyObject, Sendable {
    /// False once the connection is gone (the server restarted or became unreachable, or `stop` was called): no
    /// further notifications come; open a new watch.
    var isAlive: Bool { get }
    /// Closes the connection. Idempotent.
    func stop()
}

extension GalleryStore {
    /// No change list: readers reload the whole gallery when the change token moves.
    public func changes(since generation: Int64, expectingEncoder: String?, dimension: Int?) throws -> GalleryChanges? { nil }
    /// No notifications: readers poll `changeToken`.
    public func watchCommits(_ onCommit: @escaping @Sendable () -> Void) throws -> (any GalleryCommitWatch)? { nil }
    /// Not shared between machines: readers check the change token on every read.
    public var isShared: Bool { false }
}
