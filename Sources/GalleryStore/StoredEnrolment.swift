import Foundation
import Gallery

/// A per-entry refusal by `FaceGallery.enroll` inside a store's write transaction, thrown to roll that entry's
/// transaction back and reported as the entry's `.failure`.
struct EnrolmentRefusal: Error {
    let error: GalleryError
}

/// The decision both database stores (SQLite, PostgreSQL) make for one enrolment, written once: the person as the
/// store holds them becomes a one-person `FaceGallery`, and `FaceGallery.enroll` decides on it exactly as it does in
/// memory (name rules, the existing-name policy, dimension and finiteness checks), so a store and the in-memory
/// gallery can never disagree on an outcome.
enum StoredEnrolment {
    /// The outcome of enrolling `entry` (its name already normalised to `name`) for `stored`, the person as stored
    /// (nil: not enrolled), and how many of the stored rows the enrolment replaces (0 unless `.replaced`).
    /// Throws `GalleryStoreError.corrupt` (naming `location`) when the stored person is not a valid identity and
    /// `EnrolmentRefusal` when `FaceGallery.enroll` refuses the entry.
    static func decide(_ entry: GalleryEnrolment, name: String, stored: FaceGallery.StoredIdentity?, encoderFingerprint: String,
                       dimension: Int, location: String) throws -> (outcome: FaceGallery.EnrolmentOutcome, replacedRows: Int) {
        var single: FaceGallery
        do {
            single = try FaceGallery.assemble(source: location, encoderFingerprint: encoderFingerprint, dimension: dimension,
                                              created: Date(timeIntervalSince1970: 0), updated: Date(timeIntervalSince1970: 0),
                                              identities: stored.map { [$0] } ?? [])
        } catch {
            if case .corrupt(_, let reason) = error { throw GalleryStoreError.corrupt(location: location, reason: reason) }
            throw error
        }
        let outcome: FaceGallery.EnrolmentOutcome
        do {
            outcome = try single.enroll(name: name, embeddings: entry.embeddings, metadata: entry.metadata, ifEnrolled: entry.policy)
        } catch {
            throw EnrolmentRefusal(error: error)
        }
        let replaced = outcome == .replaced(total: entry.embeddings.count) ? stored?.embeddings.count ?? 0 : 0
        return (outcome, replaced)
    }
}

extension StoredEnrolment {
    /// A store that does not exist yet is created only when something in `batch` can be enrolled: this tries the
    /// batch on an empty in-memory gallery and, when every entry is refused, reports each refusal through `committed`
    /// and returns true (nothing to create). Returns false when at least one entry would succeed.
    static func refusedEntirely(_ batch: [GalleryEnrolment], encoderFingerprint: String, dimension: Int,
                                committed: (Int, Result<FaceGallery.EnrolmentOutcome, GalleryError>) -> Void) -> Bool {
        var trial = FaceGallery.create(encoderFingerprint: encoderFingerprint, dimension: dimension)
        let outcomes = batch.map { entry in
            Result { () throws(GalleryError) in
                try trial.enroll(name: entry.name, embeddings: entry.embeddings, metadata: entry.metadata, ifEnrolled: entry.policy)
            }
        }
        guard !outcomes.contains(where: { if case .success = $0 { true } else { false } }) else { return false }
        for (i, outcome) in outcomes.enumerated() { committed(i, outcome) }
        return true
    }

    /// A load's checks of a stored gallery against what the reader expects: a gallery of another embedding size or
    /// encoder fingerprint is refused (`GalleryError.dimensionMismatch` / `.encoderMismatch`, naming `location`).
    static func checkExpected(location: String, storedEncoder: String, storedDimension: Int?,
                              expectingEncoder: String?, dimension expected: Int?) throws {
        if let expected, let d = storedDimension, d != expected {
            throw GalleryError.dimensionMismatch(path: location, gallery: d, expected: expected)
        }
        if let expectingEncoder, expectingEncoder != storedEncoder {
            throw GalleryError.encoderMismatch(path: location, gallery: storedEncoder, expected: expectingEncoder)
        }
    }
}
