import Foundation
import Gallery
@testable import GalleryStore
import XCTest

/// Choosing the store from the location text, and the errors' one-line messages.
final class GalleryStoresTests: XCTestCase {
    func testKindComesFromThePrefixOrTheExtension() {
        XCTAssertEqual(GalleryStores.kind(of: "people.db"), .sqlite)
        XCTAssertEqual(GalleryStores.kind(of: "/a/b/people.sqlite"), .sqlite)
        XCTAssertEqual(GalleryStores.kind(of: "people.SQLITE3"), .sqlite)
        XCTAssertEqual(GalleryStores.kind(of: "sqlite:people.h5"), .sqlite)
        XCTAssertEqual(GalleryStores.kind(of: "sqlite:/tmp/gallery"), .sqlite)
        XCTAssertEqual(GalleryStores.kind(of: "people.h5"), .hdf5)
        XCTAssertEqual(GalleryStores.kind(of: "people"), .hdf5)
        XCTAssertEqual(GalleryStores.kind(of: "people.db.h5"), .hdf5)
        XCTAssertEqual(GalleryStores.kind(of: "dbfiles/people.hdf5"), .hdf5)
    }

    func testOpenKeepsTheLocationTextAndTouchesNothing() throws {
        let folder = StoreTestData.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = "sqlite:" + folder.appendingPathComponent("g.bin").path
        let sqlite = try XCTUnwrap(try GalleryStores.open(db, lockWait: 1) as? SQLiteGalleryStore)
        XCTAssertEqual(sqlite.location, db)
        XCTAssertEqual(sqlite.path, folder.appendingPathComponent("g.bin").path)
        XCTAssertEqual(sqlite.busyTimeout, GalleryStores.minimumSQLiteBusyTimeout, "at least a few seconds")
        XCTAssertEqual((try GalleryStores.open(db, lockWait: 30) as? SQLiteGalleryStore)?.busyTimeout, 30)
        let h5 = try XCTUnwrap(try GalleryStores.open(folder.appendingPathComponent("g.h5").path, lockWait: 2) as? HDF5GalleryStore)
        XCTAssertEqual(h5.kind, .hdf5)
        XCTAssertEqual(h5.lockWait, 2)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
    }

    func testUnusableLocationsAreRefused() {
        for (location, wait) in [("", 0.0), ("sqlite:", 0), ("people.db", -1), ("people.h5", .nan), ("people.h5", 100_000)] {
            XCTAssertThrowsError(try GalleryStores.open(location, lockWait: wait), "\(location) \(wait)") {
                guard case .invalidLocation = $0 as? GalleryStoreError else { return XCTFail("\($0)") }
            }
        }
    }

    func testErrorsAreOneLineNamingTheLocation() {
        let errors: [GalleryStoreError] = [
            .missing(location: "p.db"), .notEmpty(location: "p.db", identities: 2), .corrupt(location: "p.db", reason: "a\nb"),
            .notAGallery(location: "p.db", reason: "x"), .unsupportedFormat(location: "p.db", found: 2, supported: 1),
            .busy(location: "p.db", waited: 2.5), .invalidLocation(location: "p.db", reason: "r"), .database(location: "p.db", reason: "disk\r\nfull"),
            .unavailable(location: "p.db", reason: "refused\nthere"),
        ]
        for e in errors {
            XCTAssertTrue(e.description.hasPrefix("p.db: "), e.description)
            XCTAssertFalse(e.description.contains(where: \.isNewline), e.description)
        }
        XCTAssertEqual(GalleryStoreError.busy(location: "p.db", waited: 2.5).description,
                       "p.db: locked by another process writing it (waited 2.5 s); retry when it is done or pass --wait SECONDS")
        XCTAssertEqual(GalleryStoreError.notEmpty(location: "p.db", identities: 1).description,
                       "p.db: gallery already holds 1 person; copy only into a new or empty gallery")
    }
}
