import FaceEmbedding
import Foundation
import Gallery
@testable import GalleryStore
import WeightStore
import XCTest

/// The HDF5 store is the CLI's gallery file: same file, same lock, one atomic rewrite per batch.
final class HDF5GalleryStoreTests: XCTestCase {
    private var folder: URL!
    override func setUp() { folder = StoreTestData.folder() }
    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    private var url: URL { folder.appendingPathComponent("people.h5") }

    func testTheFileIsTheCLIsGalleryFile() throws {
        let store = try GalleryStores.open(url.path)
        let batch = [GalleryEnrolment(name: "Ada", embeddings: StoreTestData.embeddings(2, seed: 1), metadata: "m"),
                     GalleryEnrolment(name: "Bob", embeddings: StoreTestData.embeddings(1, seed: 2))]
        _ = try StoreTestData.enroll(store, batch)
        // what `pairmatch enroll` would have written: loadOrCreate, enroll each, save
        var cli = try FaceGallery.loadOrCreate(at: folder.appendingPathComponent("none.h5"), encoderFingerprint: StoreTestData.encoder,
                                               dimension: StoreTestData.dimension)
        _ = StoreTestData.enroll(&cli, batch)
        let file = try FaceGallery.load(from: url, expectingEncoder: StoreTestData.encoder, dimension: StoreTestData.dimension)
        StoreTestData.assertSame(file, cli, times: false)
        XCTAssertEqual(try WeightArchive.read(from: url, kind: FaceGallery.archiveKind).formatVersion, FaceGallery.formatVersion)
        XCTAssertFalse(FileManager.default.fileExists(atPath: FileLock.lockURL(for: url).path), "the lock is released")
    }

    func testCallbacksComeAfterTheWholeBatchIsSaved() throws {
        let store = try GalleryStores.open(url.path)
        var seenOnDisk: [Int] = []
        try store.enroll((0..<3).map { GalleryEnrolment(name: "p\($0)", embeddings: StoreTestData.embeddings(1, seed: UInt64($0))) },
                         encoderFingerprint: StoreTestData.encoder, dimension: StoreTestData.dimension) { _, _ in
            seenOnDisk.append((try? FaceGallery.load(from: url, expectingEncoder: nil).count) ?? -1)
        }
        XCTAssertEqual(seenOnDisk, [3, 3, 3], "every callback sees the whole batch on disk")
    }

    func testAHeldLockIsWaitedForThenRefused() throws {
        let store = try GalleryStores.open(url.path)
        let entry = [GalleryEnrolment(name: "Ada", embeddings: StoreTestData.embeddings(1, seed: 1))]
        let held = try FileLock.acquire(for: url)
        XCTAssertThrowsError(try StoreTestData.enroll(store, entry)) {
            guard case .locked(let path, let pid, _) = $0 as? FileLockError else { return XCTFail("\($0)") }
            XCTAssertEqual(path, self.url.path)
            XCTAssertEqual(pid, getpid())
        }
        XCTAssertThrowsError(try store.remove(name: "Ada"))
        XCTAssertFalse(store.exists(), "nothing written")
        // with a wait, the writer gets the lock once it is released
        let patient = try GalleryStores.open(url.path, lockWait: 10)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { held.release() }
        XCTAssertEqual(try StoreTestData.enroll(patient, entry), [.success(.added(embeddings: 1))])
    }

    func testChangeTokenFollowsTheFile() throws {
        let store = try GalleryStores.open(url.path)
        XCTAssertNil(try store.changeToken())
        _ = try StoreTestData.enroll(store, [GalleryEnrolment(name: "Ada", embeddings: StoreTestData.embeddings(1, seed: 1))])
        let first = try XCTUnwrap(try store.changeToken())
        XCTAssertEqual(try store.changeToken(), first, "stable while nothing changes")
        // a save by anyone (here FaceGallery.save, as another pairmatch would) moves it, even with the same content
        try FaceGallery.load(from: url, expectingEncoder: nil).save(to: url)
        XCTAssertNotEqual(try store.changeToken(), first)
        XCTAssertEqual(HDF5GalleryStore.mix([1, 2, 3]), HDF5GalleryStore.mix([1, 2, 3]))
        XCTAssertNotEqual(HDF5GalleryStore.mix([1, 2, 3]), HDF5GalleryStore.mix([1, 2, 4]))
    }
}
