import Foundation
import Gallery
import GRDB

/// The SQLite gallery's schema, format version 1.
///
/// ```sql
/// CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value ANY) STRICT;
/// CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, metadata TEXT) STRICT;
/// CREATE TABLE embeddings (id INTEGER PRIMARY KEY,
///                          person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
///                          vector BLOB NOT NULL, checksum INTEGER NOT NULL) STRICT;
/// CREATE INDEX embeddings_by_person ON embeddings(person_id, id);
/// ```
///
/// - `meta` rows: `kind` = "pairmatch.gallery" (the marker that tells this database from any other),
///   `format_version` = 1, `encoder_fingerprint` (text), `embedding_dimension` D (integer ≥ 1; NULL only for a
///   gallery that never held an embedding and was given no size), `created`, `updated` (integer seconds since
///   1970 UTC, whole seconds as `FaceGallery` keeps them), `generation` (integer, +1 in every write transaction:
///   the change token).
/// - `people`: one row per identity; `id` order is enrolment order (identity index = rank of `id`); `name` in
///   Unicode NFC; `metadata` free text or NULL. A replace keeps the row (and so the identity's place).
/// - `embeddings`: one row per stored embedding; `id` order is the search matrix's row order (new rows get ids
///   above every existing one, so ids order rows as `FaceGallery` appends them); `vector` is the `[D]` float32
///   components little-endian (4·D bytes); `checksum` is XXH64 (seed 0) of those bytes as a signed 64-bit
///   integer (`TensorChecksum`), verified on every load.
///
/// Opened in WAL mode (`journal_mode=WAL`: readers never block the writer nor each other) with
/// `synchronous=FULL` (every commit is on disk before the call returns) and foreign keys on.
enum GallerySchema {
    /// The marker in `meta.kind`.
    static let kind = FaceGallery.archiveKind
    /// The format version this code writes and the newest it reads.
    static let formatVersion = 1

    static let createStatements = """
        CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value ANY) STRICT;
        CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, metadata TEXT) STRICT;
        CREATE TABLE embeddings (id INTEGER PRIMARY KEY,
                                 person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
                                 vector BLOB NOT NULL, checksum INTEGER NOT NULL) STRICT;
        CREATE INDEX embeddings_by_person ON embeddings(person_id, id);
        """

    /// The gallery-wide values of the `meta` table.
    struct Meta: Sendable, Equatable {
        var formatVersion: Int
        var encoderFingerprint: String
        /// D, nil only for a gallery that never had a size.
        var dimension: Int?
        /// Seconds since 1970 UTC.
        var created: Int64
        var updated: Int64
        var generation: Int64
    }

    /// What the database at hand holds.
    enum Contents {
        /// No table at all: a new database (or one being created right now by another process).
        case fresh
        /// A pairmatch gallery (its `meta` has the right kind and a readable format version).
        case gallery
    }

    /// Whether `db` is fresh or a gallery; throws `.notAGallery` for another application's database and
    /// `.unsupportedFormat` for a newer gallery. Reads only `sqlite_master` and two `meta` rows.
    static func contents(_ db: Database, location: String) throws -> Contents {
        let objects = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
        if objects == 0 { return .fresh }
        let hasMeta = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'") ?? 0
        guard hasMeta == 1 else {
            throw GalleryStoreError.notAGallery(location: location, reason: "an SQLite database without a 'meta' table")
        }
        let values = try metaValues(db, keys: ["kind", "format_version"])
        guard case .string(let k)? = values["kind"]?.storage, k == kind else {
            let found = values["kind"].map { "'\($0)'" } ?? "none"
            throw GalleryStoreError.notAGallery(location: location, reason: "meta kind is \(found), expected '\(kind)'")
        }
        guard case .int64(let v)? = values["format_version"]?.storage else {
            throw GalleryStoreError.corrupt(location: location, reason: "meta 'format_version' is missing or not an integer")
        }
        guard v <= Int64(formatVersion) else {
            throw GalleryStoreError.unsupportedFormat(location: location, found: Int(clamping: v), supported: formatVersion)
        }
        guard v >= 1 else { throw GalleryStoreError.corrupt(location: location, reason: "meta 'format_version' is \(v)") }
        return .gallery
    }

    /// The `meta` values of a gallery database (call `contents` first), each checked for its type.
    static func readMeta(_ db: Database, location: String) throws -> Meta {
        let values = try metaValues(db, keys: nil)
        func corrupt(_ reason: String) -> GalleryStoreError { .corrupt(location: location, reason: reason) }
        func integer(_ key: String) throws -> Int64 {
            guard case .int64(let v)? = values[key]?.storage else { throw corrupt("meta '\(key)' is missing or not an integer") }
            return v
        }
        guard case .string(let fingerprint)? = values["encoder_fingerprint"]?.storage else {
            throw corrupt("meta 'encoder_fingerprint' is missing or not text")
        }
        var dimension: Int?
        switch values["embedding_dimension"]?.storage {
        case .null?: dimension = nil
        case .int64(let d)? where d >= 1 && d <= Int64(Int32.max): dimension = Int(d)
        default: throw corrupt("meta 'embedding_dimension' is missing or not an integer ≥ 1")
        }
        return Meta(formatVersion: Int(try integer("format_version")), encoderFingerprint: fingerprint, dimension: dimension,
                    created: try integer("created"), updated: try integer("updated"), generation: try integer("generation"))
    }

    /// Creates the tables in a fresh database and writes `meta` (call inside a write transaction).
    static func create(_ db: Database, meta: Meta) throws {
        try db.execute(sql: createStatements)
        let rows: [(String, DatabaseValueConvertible?)] = [
            ("kind", kind), ("format_version", Int64(formatVersion)), ("encoder_fingerprint", meta.encoderFingerprint),
            ("embedding_dimension", meta.dimension.map { Int64($0) }), ("created", meta.created), ("updated", meta.updated),
            ("generation", meta.generation),
        ]
        for (key, value) in rows {
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?)", arguments: [key, value])
        }
    }

    /// Rewrites the gallery-wide values (an empty gallery taking another gallery's identity in `importAll`).
    static func overwrite(_ db: Database, meta: Meta) throws {
        let rows: [(String, DatabaseValueConvertible?)] = [
            ("encoder_fingerprint", meta.encoderFingerprint), ("embedding_dimension", meta.dimension.map { Int64($0) }),
            ("created", meta.created), ("updated", meta.updated), ("generation", meta.generation),
        ]
        for (key, value) in rows {
            try db.execute(sql: "UPDATE meta SET value = ? WHERE key = ?", arguments: [value, key])
        }
    }

    /// Sets `embedding_dimension` of a gallery that had none.
    static func setDimension(_ db: Database, _ dimension: Int) throws {
        try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'embedding_dimension'", arguments: [Int64(dimension)])
    }

    /// Marks a committed change: `generation` + 1 and `updated` = `now` (whole seconds since 1970).
    static func bump(_ db: Database, now: Int64) throws {
        try db.execute(sql: "UPDATE meta SET value = value + 1 WHERE key = 'generation'")
        try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'updated'", arguments: [now])
    }

    /// The change token: `meta.generation` (nil on a fresh database).
    static func generation(_ db: Database, location: String) throws -> Int64? {
        guard try contents(db, location: location) == .gallery else { return nil }
        guard let value = try DatabaseValue.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'generation'"),
              case .int64(let g) = value.storage else {
            throw GalleryStoreError.corrupt(location: location, reason: "meta 'generation' is missing or not an integer")
        }
        return g
    }

    /// `meta` as key → value (only `keys` when given).
    private static func metaValues(_ db: Database, keys: [String]?) throws -> [String: DatabaseValue] {
        var result = [String: DatabaseValue]()
        let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM meta")
        for row in rows {
            guard case .string(let key) = (row[0] as DatabaseValue).storage, keys?.contains(key) ?? true else { continue }
            result[key] = row[1] as DatabaseValue
        }
        return result
    }

    /// Whole seconds since 1970 of `date` (rounded down, as `FaceGallery` keeps its times).
    static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }
}
