import Foundation

/// Opening a gallery store from the location text a user gives (`--gallery`, the server's configuration).
public enum GalleryStores {
    /// The prefix that makes any path an SQLite gallery: `sqlite:PATH`.
    public static let sqlitePrefix = "sqlite:"
    /// File name endings (compared case-insensitively) that make a path an SQLite gallery.
    public static let sqliteExtensions = ["db", "sqlite", "sqlite3"]
    /// The smallest busy timeout an SQLite store uses, seconds: short write transactions of other processes are
    /// waited for even with `lockWait` 0.
    public static let minimumSQLiteBusyTimeout = 5.0

    /// `sqlite:PATH`, or a path ending in .db/.sqlite/.sqlite3 → SQLite; anything else → the HDF5 file. `lockWait`: seconds an
    /// HDF5 writer waits for the FileLock (0 = fail at once), SQLite's busy timeout likewise (at least a few seconds for SQLite:
    /// `max(lockWait, minimumSQLiteBusyTimeout)`).
    ///
    /// Touches nothing on disk: a store that does not exist is created by its first write. Throws
    /// `GalleryStoreError.invalidLocation` for an empty path (or `sqlite:` alone) and a `lockWait` that is negative,
    /// not finite or above a day.
    public static func open(_ location: String, lockWait: Double = 0) throws -> any GalleryStore {
        guard lockWait.isFinite, lockWait >= 0, lockWait <= 86_400 else {
            throw GalleryStoreError.invalidLocation(location: location, reason: "lock wait \(lockWait) s is not between 0 and 86400")
        }
        let path = self.path(of: location)
        guard !path.isEmpty else { throw GalleryStoreError.invalidLocation(location: location, reason: "no file path") }
        let url = URL(fileURLWithPath: path)
        switch kind(of: location) {
        case .hdf5: return HDF5GalleryStore(location: location, url: url, lockWait: lockWait)
        case .sqlite:
            return SQLiteGalleryStore(location: location, path: url.path,
                                      busyTimeout: max(lockWait, minimumSQLiteBusyTimeout))
        }
    }

    /// The kind `open` chooses for `location` (by its text alone).
    public static func kind(of location: String) -> GalleryStoreKind {
        if location.hasPrefix(sqlitePrefix) { return .sqlite }
        let ext = URL(fileURLWithPath: location).pathExtension.lowercased()
        return sqliteExtensions.contains(ext) ? .sqlite : .hdf5
    }

    /// The file path of `location`: without the `sqlite:` prefix.
    static func path(of location: String) -> String {
        location.hasPrefix(sqlitePrefix) ? String(location.dropFirst(sqlitePrefix.count)) : location
    }
}
