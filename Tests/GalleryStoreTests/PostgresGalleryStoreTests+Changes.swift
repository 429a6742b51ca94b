import FaceEmbedding
import Foundation
import Gallery
@testable import GalleryStore
import TestSupport
import XCTest

/// Following a PostgreSQL gallery from another process: the change list since a generation, and commit notifications.
extension PostgresGalleryStoreTests {
    func testTheChangesSinceAGenerationBringAnOldCopyToTheStoresState() throws {
        let store = try store()
        _ = try StoreTestData.enroll(store, [Self.e("Ada", 2, seed: 1), Self.e("Bob", 1, seed: 2), Self.e("Cy", 1, seed: 3)])
        let old = try store.load(expectingEncoder: StoreTestData.encoder, dimension: StoreTestData.dimension)
        let since = try XCTUnwrap(try store.changeToken())
        XCTAssertEqual(try store.changes(since: since, expectingEncoder: StoreTestData.encoder, dimension: StoreTestData.dimension)?.people, [],
                       "nothing changed")

        // Another object (another instance's connections) commits: extend, replace, remove, add, remove-then-add.
        let other = try GalleryStores.open(store.location)
        _ = try StoreTestData.enroll(other, [Self.e("Ada", 1, seed: 4, metadata: "more"), Self.e("Bob", 2, seed: 5, .replace),
                                             Self.e("Dee", 1, seed: 6)])
        XCTAssertTrue(try other.remove(name: "Cy"))
        _ = try StoreTestData.enroll(other, [Self.e("Cy", 1, seed: 7)])
        XCTAssertTrue(try other.remove(name: "Dee"))

        let changes = try XCTUnwrap(try store.changes(since: since, expectingEncoder: StoreTestData.encoder, dimension: StoreTestData.dimension))
        XCTAssertEqual(changes.generation, try store.changeToken())
        XCTAssertEqual(changes.people.map(\.name), ["Ada", "Bob", "Cy", "Dee"], "each person once, by their last change")
        XCTAssertNil(changes.people[3].identity, "Dee was removed")
        XCTAssertEqual(changes.people[0].identity?.embeddings.count, 3)
        XCTAssertEqual(changes.people[0].identity?.metadata, "more")
        var followed = old
        XCTAssertEqual(changes.created, followed.created)
        try followed.setPeople(changes.people.map { ($0.name, $0.identity) })
        let fresh = try store.load(expectingEncoder: StoreTestData.encoder, dimension: StoreTestData.dimension)
        XCTAssertEqual(Set(followed.identitiesWithEmbeddings.map(\.name)), Set(fresh.identitiesWithEmbeddings.map(\.name)))
        for person in fresh.identitiesWithEmbeddings {
            XCTAssertEqual(followed.embeddings(of: person.name), person.embeddings, person.name)
            XCTAssertEqual(followed.identity(named: person.name)?.metadata, person.metadata, person.name)
        }

        // When the list cannot be complete the answer is nil (the reader loads the whole gallery).
        let now = try XCTUnwrap(try store.changeToken())
        XCTAssertNil(try store.changes(since: now + 1, expectingEncoder: nil, dimension: nil), "ahead of the store (a restored backup)")
        XCTAssertNil(try store.changes(since: 0, expectingEncoder: nil, dimension: nil))
        try sql(store, "DELETE FROM change_log WHERE generation = \(since + 2)")
        XCTAssertNil(try store.changes(since: since, expectingEncoder: nil, dimension: nil), "a generation missing from the log")
        XCTAssertNotNil(try store.changes(since: since + 2, expectingEncoder: nil, dimension: nil), "the log is whole after it")

        // Checked as load checks: another encoder is refused; a damaged vector is an error, never a wrong person.
        XCTAssertThrowsError(try store.changes(since: since + 2, expectingEncoder: "another-encoder", dimension: nil)) { e in
            guard case GalleryError.encoderMismatch = e else { return XCTFail("\(e)") }
        }
        try sql(store, "UPDATE embeddings SET checksum = checksum + 1 WHERE person_id = (SELECT id FROM people WHERE name = 'Cy')")
        XCTAssertThrowsError(try store.changes(since: since + 2, expectingEncoder: nil, dimension: nil)) { e in
            guard case GalleryStoreError.corrupt = e else { return XCTFail("\(e)") }
        }
        XCTAssertThrowsError(try self.store("empty").changes(since: 1, expectingEncoder: nil, dimension: nil)) { e in
            XCTAssertEqual(e as? GalleryStoreError, .missing(location: StoreTestData.location(.postgres, in: folder, name: "empty")))
        }
    }

    func testEveryCommitOfAnotherProcessIsNotifiedAndAWatchKnowsWhenItsConnectionIsGone() throws {
        let store = try store()
        _ = try StoreTestData.enroll(store, [Self.e("Ada", 1, seed: 1)])
        let heard = DispatchSemaphore(value: 0)
        let watch = try XCTUnwrap(try store.watchCommits { heard.signal() })
        defer { watch.stop() }
        XCTAssertTrue(watch.isAlive)
        XCTAssertEqual(heard.wait(timeout: .now() + 0.3), .timedOut, "nothing committed yet")

        let other = try GalleryStores.open(store.location)
        _ = try StoreTestData.enroll(other, [Self.e("Bob", 1, seed: 2)])
        XCTAssertEqual(heard.wait(timeout: .now() + 5), .success, "an enrolment is notified")
        XCTAssertTrue(try other.remove(name: "Bob"))
        XCTAssertEqual(heard.wait(timeout: .now() + 5), .success, "a removal is notified")
        XCTAssertTrue(try other.remove(name: "Ada"))
        XCTAssertEqual(heard.wait(timeout: .now() + 5), .success)
        try other.importAll(FaceGallery.create(encoderFingerprint: StoreTestData.encoder))
        XCTAssertEqual(heard.wait(timeout: .now() + 5), .success, "an import is notified")
        // A refused write commits nothing and notifies nothing.
        _ = try StoreTestData.enroll(other, [Self.e("", 1, seed: 3)])
        XCTAssertEqual(heard.wait(timeout: .now() + 0.3), .timedOut)

        // The server's side of the connection ends: the watch says so.
        try sql(store, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pairmatch listener'")
        let deadline = Date().addingTimeInterval(5)
        while watch.isAlive, Date() < deadline { usleep(20_000) }
        XCTAssertFalse(watch.isAlive)
    }
}
