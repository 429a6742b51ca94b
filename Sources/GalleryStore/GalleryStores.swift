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
    /// Likewise the smallest lock timeout of a PostgreSQL store, seconds.
    public static let minimumPostgresLockTimeout = 5.0

    /// `postgres://USER@HOST:PORT/DATABASE` or `postgresql://…` → PostgreSQL (`PostgresLocation`: the password from
    /// `PGPASSWORD` or the file named by `PAIRMATCH_PGPASSFILE`, never in the URL); `sqlite:PATH`, or a path ending in
    /// .db/.sqlite/.sqlite3 → SQLite; anything else → the HDF5 file. `lockWait`: seconds an HDF5 writer waits for the
    /// FileLock (0 = fail at once), SQLite's busy timeout and PostgreSQL's lock timeout likewise (at least a few seconds
    /// for those: `max(lockWait, minimumSQLiteBusyTimeout)` / `max(lockWait, minimumPostgresLockTimeout)`).
    ///
    /// Touches nothing on disk and does not connect: a store that does not exist is created by its first write. Throws
    /// `GalleryStoreError.invalidLocation` for an empty path (or `sqlite:` alone), a PostgreSQL URL that is malformed or
    /// holds a password (the message shows it without), and a `lockWait` that is negative, not finite or above a day.
    public static func open(_ location: String, lockWait: Double = 0) throws -> any GalleryStore {
        let shown = PostgresLocation.redacted(location)
        guard lockWait.isFinite, lockWait >= 0, lockWait <= 86_400 else {
            throw GalleryStoreError.invalidLocation(location: shown, reason: "lock wait \(lockWait) s is not between 0 and 86400")
        }
        let kind = kind(of: location)
        if kind == .postgres {
            let endpoint = try PostgresLocation.parse(location, environment: PostgresLocation.environment())
            return PostgresGalleryStore(location: location, endpoint: endpoint, lockTimeout: max(lockWait, minimumPostgresLockTimeout))
        }
        let path = self.path(of: location)
        guard !path.isEmpty else { throw GalleryStoreError.invalidLocation(location: location, reason: "no file path") }
        let url = URL(fileURLWithPath: path)
        return kind == .sqlite
            ? SQLiteGalleryStore(location: location, path: url.path, busyTimeout: max(lockWait, minimumSQLiteBusyTimeout))
            : HDF5GalleryStore(location: location, url: url, lockWait: lockWait)
    }

    /// The kind `open` chooses for `location` (by its text alone).
    public static func kind(of location: String) -> GalleryStoreKind {
        if PostgresLocation.isPostgres(location) { return .postgres }
        if location.hasPrefix(sqlitePrefix) { return .sqlite }
        let ext = URL(fileURLWithPath: location).pathExtension.lowercased()
        return sqliteExtensions.contains(ext) ? .sqlite : .hdf5
    }

    /// The file the gallery at `location` lives in (without the `sqlite:` prefix), nil for a PostgreSQL gallery.
    public static func file(of location: String) -> String? {
        kind(of: location) == .postgres ? nil : path(of: location)
    }

    /// The file path of `location`: without the `sqlite:` prefix.
    static func path(of location: String) -> String {
        location.hasPrefix(sqlitePrefix) ? String(location.dropFirst(sqlitePrefix.count)) : location
    }
}
