import FaceEmbedding
import Foundation
import Gallery
import WeightStore
#if canImport(Glibc)
import Glibc
#endif

/// The HDF5 gallery file behind the `GalleryStore` protocol: exactly what the CLI has always done.
///
/// Reads load the whole file (`FaceGallery.load`; files are replaced atomically, so readers take no lock). Every
/// change is load-modify-save under the file's `FileLock` (`folder/.NAME.lock`, waited for up to `lockWait`
/// seconds, else `FileLockError.locked`), saved by one atomic rewrite (`FaceGallery.save`). Writers of one store
/// object are also serialised in-process, so two threads of one process queue instead of refusing each other.
///
/// Errors are those of the HDF5 gallery file (`WeightStoreError`, `GalleryError`, `FileLockError`), plus
/// `GalleryStoreError.missing` / `.notEmpty`.
final class HDF5GalleryStore: GalleryStore, @unchecked Sendable {
    let location: String
    var kind: GalleryStoreKind { .hdf5 }
    /// The gallery file.
    let url: URL
    /// Seconds a writer waits for the `FileLock` (0: one attempt).
    let lockWait: Double
    /// Serialises this object's writers (the FileLock serialises processes).
    private let writers = NSLock()

    init(location: String, url: URL, lockWait: Double) {
        self.location = location
        self.url = url
        self.lockWait = lockWait
    }

    func exists() -> Bool { FileManager.default.fileExists(atPath: url.path) }

    func load(expectingEncoder: String?, dimension: Int?) throws -> FaceGallery {
        guard exists() else { throw GalleryStoreError.missing(location: location) }
        return try FaceGallery.load(from: url, expectingEncoder: expectingEncoder, dimension: dimension)
    }

    func enroll(_ batch: [GalleryEnrolment], encoderFingerprint: String, dimension: Int,
                committed: (Int, Result<FaceGallery.EnrolmentOutcome, GalleryError>) -> Void) throws {
        let results: [Result<FaceGallery.EnrolmentOutcome, GalleryError>] = try writing {
            var gallery = try FaceGallery.loadOrCreate(at: url, encoderFingerprint: encoderFingerprint, dimension: dimension)
            var results = [Result<FaceGallery.EnrolmentOutcome, GalleryError>]()   // [batch.count]
            for entry in batch {
                results.append(Result { () throws(GalleryError) in
                    try gallery.enroll(name: entry.name, embeddings: entry.embeddings, metadata: entry.metadata,
                                       ifEnrolled: entry.policy)
                })
            }
            if results.contains(where: { if case .success = $0 { true } else { false } }) {
                try gallery.save(to: url)
            }
            return results
        }
        for (i, result) in results.enumerated() { committed(i, result) }
    }

    func remove(name: String) throws -> Bool {
        try writing {
            guard exists() else { throw GalleryStoreError.missing(location: location) }
            var gallery = try FaceGallery.load(from: url, expectingEncoder: nil)
            guard let normalised = try? FaceGallery.normalizedName(name), gallery.remove(name: normalised) else { return false }
            try gallery.save(to: url)
            return true
        }
    }

    func importAll(_ gallery: FaceGallery) throws {
        try writing {
            if exists() {
                let current = try FaceGallery.load(from: url, expectingEncoder: nil)
                guard current.isEmpty else { throw GalleryStoreError.notEmpty(location: location, identities: current.count) }
            }
            try gallery.save(to: url)
        }
    }

    /// A mix of the file's device, inode, modification time (ns) and size: each atomic save writes a new inode with a
    /// new mtime, so any save by any process changes it. nil when there is no file.
    func changeToken() throws -> Int64? {
        var s = stat()
        guard stat(url.path, &s) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw GalleryStoreError.database(location: location, reason: "cannot stat: \(String(cString: strerror(errno)))")
        }
        let parts: [UInt64] = [UInt64(s.st_dev), UInt64(s.st_ino), UInt64(bitPattern: Int64(s.st_mtim.tv_sec)),
                               UInt64(bitPattern: Int64(s.st_mtim.tv_nsec)), UInt64(bitPattern: Int64(s.st_size))]
        return Int64(bitPattern: Self.mix(parts))
    }

    /// The body of a change: this object's writer lock, then the file's `FileLock`, both released on return.
    private func writing<T>(_ body: () throws -> T) throws -> T {
        writers.lock()
        defer { writers.unlock() }
        let lock = try FileLock.acquire(for: url, wait: lockWait)
        defer { lock.release() }
        return try body()
    }

    /// A deterministic 64-bit hash of `parts` (SplitMix64's finaliser over a running sum): equal in every process,
    /// unlike Swift's per-process seeded `Hasher`.
    static func mix(_ parts: [UInt64]) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        for p in parts {
            h = (h ^ p) &+ 0x9E37_79B9_7F4A_7C15
            h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
            h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 31
        }
        return h
    }
}
