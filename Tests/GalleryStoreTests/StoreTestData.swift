import FaceEmbedding
import Foundation
import Gallery
@testable import GalleryStore
import SeededRandom
import TestSupport
import XCTest

/// Seeded embeddings, store locations and comparisons shared by the store tests.
enum StoreTestData {
    static let encoder = "sha256:store-test-encoder"
    static let otherEncoder = "sha256:another-encoder"
    /// D of the test galleries (small, so rows are cheap to compare).
    static let dimension = 8

    /// `[dimension]` components uniform in [−1, 1), from `seed` alone.
    static func embedding(seed: UInt64, dimension: Int = dimension) -> Embedding {
        var rng = SplitMix64(seed: seed)
        return Embedding((0..<dimension).map { _ in rng.symmetricUnit() })
    }

    /// `count` embeddings from seeds `seed`, `seed + 1`, ….
    static func embeddings(_ count: Int, seed: UInt64, dimension: Int = dimension) -> [Embedding] {
        (0..<count).map { embedding(seed: seed &* 1000 &+ UInt64($0), dimension: dimension) }
    }

    /// Person `i` of the crash and concurrency tests: name `prefix-NNNNNN`, 1…3 embeddings `[64]` and metadata, all
    /// recomputable from `i` and the prefix, so a test can check that a stored person is whole.
    static func numberedPerson(_ i: Int, prefix: String = "person") -> GalleryEnrolment {
        let name = prefix + "-" + String(format: "%06d", i)
        let seed = UInt64(i + 1) &* 0x9E37_79B9 &+ UInt64(prefix.utf8.reduce(0) { $0 &* 31 &+ Int($1) })
        return GalleryEnrolment(name: name, embeddings: embeddings(1 + i % 3, seed: seed, dimension: numberedDimension),
                                metadata: "{\"i\": \(i)}", policy: .refuse)
    }
    static let numberedDimension = 64

    /// A new temporary folder for one test.
    static func folder() -> URL { TestPaths.temporaryDirectory("gallery-store-test") }

    /// The cluster the PostgreSQL locations are in, while a test class that started one runs (see `PostgresTestCluster`).
    nonisolated(unsafe) static var postgres: PostgresServer?

    /// A location of `kind` for `folder` (one test's): `folder/NAME.h5`, `folder/NAME.db`, or the URL of a database of
    /// `postgres` named after the folder and `name` (created, empty, on first use; the same one for the same arguments).
    static func location(_ kind: GalleryStoreKind, in folder: URL, name: String = "people") -> String {
        switch kind {
        case .hdf5, .sqlite: return folder.appendingPathComponent(name + (kind == .hdf5 ? ".h5" : ".db")).path
        case .postgres:
            let id = String(folder.lastPathComponent.suffix(36)).replacingOccurrences(of: "-", with: "").lowercased()
            guard let server = postgres else {
                XCTFail("no PostgreSQL cluster is running for \(folder.lastPathComponent)/\(name)")
                return "postgres://nobody@127.0.0.1:1/none"
            }
            do { return try server.database("g\(id)_\(name.lowercased())") } catch {
                XCTFail("cannot create the database for \(name): \(error)")
                return "postgres://nobody@127.0.0.1:1/none"
            }
        }
    }

    /// Runs `store.enroll` and returns the callback results, checking they come once per entry, in order.
    static func enroll(_ store: any GalleryStore, _ batch: [GalleryEnrolment], encoder: String = encoder, dimension: Int = dimension,
                       file: StaticString = #filePath, line: UInt = #line) throws -> [Result<FaceGallery.EnrolmentOutcome, GalleryError>] {
        var results: [Result<FaceGallery.EnrolmentOutcome, GalleryError>] = []
        try store.enroll(batch, encoderFingerprint: encoder, dimension: dimension) { i, result in
            XCTAssertEqual(i, results.count, "callbacks in order", file: file, line: line)
            results.append(result)
        }
        XCTAssertEqual(results.count, batch.count, "one callback per entry", file: file, line: line)
        return results
    }

    /// The same batch applied to an in-memory gallery (what a store must match).
    static func enroll(_ gallery: inout FaceGallery, _ batch: [GalleryEnrolment]) -> [Result<FaceGallery.EnrolmentOutcome, GalleryError>] {
        batch.map { entry in
            Result { () throws(GalleryError) in
                try gallery.enroll(name: entry.name, embeddings: entry.embeddings, metadata: entry.metadata, ifEnrolled: entry.policy)
            }
        }
    }

    /// Asserts `a` and `b` hold the same gallery: encoder, dimension, identities (names, metadata, counts) in order,
    /// the search matrix row by row with each row's owner, and (with `times`) created/updated.
    static func assertSame(_ a: FaceGallery, _ b: FaceGallery, times: Bool = true, _ message: String = "",
                           file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.encoderFingerprint, b.encoderFingerprint, message, file: file, line: line)
        XCTAssertEqual(a.dimension, b.dimension, message, file: file, line: line)
        XCTAssertEqual(a.identities, b.identities, message, file: file, line: line)
        XCTAssertEqual(a.identitiesWithEmbeddings, b.identitiesWithEmbeddings, message, file: file, line: line)
        XCTAssertEqual(a.searchMatrix, b.searchMatrix, message, file: file, line: line)
        XCTAssertEqual(a.rowOwners, b.rowOwners, message, file: file, line: line)
        if times {
            XCTAssertEqual(a.created, b.created, message, file: file, line: line)
            XCTAssertEqual(a.updated, b.updated, message, file: file, line: line)
        }
    }

    /// Whether `result` is a success.
    static func succeeded(_ result: Result<FaceGallery.EnrolmentOutcome, GalleryError>) -> Bool {
        if case .success = result { return true }
        return false
    }
}
