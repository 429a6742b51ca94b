import Foundation
import Gallery
import PostgresNIO

/// The PostgreSQL gallery's schema, version 1 (in the database's current schema, normally `public`).
///
/// ```sql
/// CREATE TABLE pairmatch_schema_version (version integer NOT NULL,
///                                        one_row boolean PRIMARY KEY DEFAULT true CHECK (one_row));
/// CREATE TABLE meta (one_row boolean PRIMARY KEY DEFAULT true CHECK (one_row),
///                    kind text NOT NULL, format_version integer NOT NULL, encoder_fingerprint text NOT NULL,
///                    dimension integer CHECK (dimension >= 1),
///                    created timestamptz NOT NULL, updated timestamptz NOT NULL, generation bigint NOT NULL);
/// CREATE TABLE people (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE CHECK (name IS NFC NORMALIZED),
///                      metadata text, enrolled_at timestamptz NOT NULL DEFAULT now());
/// CREATE TABLE embeddings (id bigserial PRIMARY KEY,
///                          person_id bigint NOT NULL REFERENCES people(id) ON DELETE CASCADE,
///                          vector bytea NOT NULL, checksum bigint NOT NULL);
/// CREATE INDEX embeddings_by_person ON embeddings (person_id, id);
/// CREATE TABLE change_log (id bigserial PRIMARY KEY, generation bigint NOT NULL, person text NOT NULL,
///                          op text NOT NULL CHECK (op IN ('enrol', 'replace', 'remove')),
///                          at timestamptz NOT NULL DEFAULT now());
/// CREATE INDEX change_log_by_generation ON change_log (generation);
/// ```
///
/// - `pairmatch_schema_version`: one row, the version of these tables (this code creates and reads `schemaVersion`;
///   a newer one is refused, never modified; an older one is upgraded by `pairmatch gallery migrate`). Its presence
///   is what tells a pairmatch database from any other: a database with other tables and not this one is refused.
/// - `meta`: one row once the gallery exists (tables without it: created by `gallery migrate`, nothing enrolled yet).
///   `kind` = "pairmatch.gallery", `format_version` = 1 (the gallery format, as the other stores keep it),
///   `encoder_fingerprint`, `dimension` D (NULL only for a gallery never given a size), `created`/`updated` (whole
///   seconds, as `FaceGallery` keeps them), `generation` (+1 in every committed change: the change token). Every
///   writer locks this row first (`SELECT … FOR UPDATE`): writers of all processes are serialised there.
/// - `people`: one row per identity, `id` order = enrolment order (a replace keeps the row and so the place); `name`
///   in Unicode NFC (checked by the database too); `metadata` free text or NULL; `enrolled_at` when first enrolled.
/// - `embeddings`: one row per stored embedding, `id` order = the search matrix's row order; `vector` = the `[D]`
///   float32 components little-endian (4·D bytes), `checksum` = XXH64 (seed 0) of those bytes as a signed 64-bit
///   integer (`TensorChecksum`, `EmbeddingBlob`), verified on every load.
/// - `change_log`: one row per person changed by a commit: the commit's `generation`, the person's name, `op`
///   ('enrol' for a new person or added photos, 'replace', 'remove'; `gallery copy` logs an 'enrol' per person), `at`.
///
/// Every write transaction also sends `pg_notify('pairmatch_gallery', '<new generation>')`, delivered to listeners when
/// it commits (`PostgresGalleryStore+Changes`): readers in other processes wake and read the people changed since their
/// generation from `change_log`.
///
/// The database's encoding must be UTF8 (checked when the tables are created).
enum PostgresSchema {
    /// The version of the tables this code creates and reads.
    static let schemaVersion = 1
    /// The marker in `meta.kind`.
    static let kind = FaceGallery.archiveKind
    /// The gallery format version this code writes and the newest it reads.
    static let formatVersion = 1
    /// The transaction-scoped advisory lock held while tables are created or migrated, so that processes creating one
    /// gallery at once do it one after the other (the bytes of "pairmatc").
    static let creationLock: Int64 = 0x7061_6972_6D61_7463

    /// `migrations[v]` takes the tables from version v to v + 1 (version 0: no tables). One statement per string.
    static let migrations: [[String]] = [
        [
            "CREATE TABLE pairmatch_schema_version (version integer NOT NULL, one_row boolean PRIMARY KEY DEFAULT true CHECK (one_row))",
            """
            CREATE TABLE meta (one_row boolean PRIMARY KEY DEFAULT true CHECK (one_row),
                               kind text NOT NULL, format_version integer NOT NULL, encoder_fingerprint text NOT NULL,
                               dimension integer CHECK (dimension >= 1),
                               created timestamptz NOT NULL, updated timestamptz NOT NULL, generation bigint NOT NULL)
            """,
            """
            CREATE TABLE people (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE CHECK (name IS NFC NORMALIZED),
                                 metadata text, enrolled_at timestamptz NOT NULL DEFAULT now())
            """,
            """
            CREATE TABLE embeddings (id bigserial PRIMARY KEY,
                                     person_id bigint NOT NULL REFERENCES people(id) ON DELETE CASCADE,
                                     vector bytea NOT NULL, checksum bigint NOT NULL)
            """,
            "CREATE INDEX embeddings_by_person ON embeddings (person_id, id)",
            """
            CREATE TABLE change_log (id bigserial PRIMARY KEY, generation bigint NOT NULL, person text NOT NULL,
                                     op text NOT NULL CHECK (op IN ('enrol', 'replace', 'remove')),
                                     at timestamptz NOT NULL DEFAULT now())
            """,
            "CREATE INDEX change_log_by_generation ON change_log (generation)",
        ],
    ]

    /// The gallery-wide values of the `meta` row.
    struct Meta: Sendable, Equatable {
        var formatVersion: Int
        var encoderFingerprint: String
        /// D, nil only for a gallery that never had a size.
        var dimension: Int?
        /// Whole seconds.
        var created: Date
        var updated: Date
        var generation: Int64
    }

    /// What the database holds.
    enum Contents: Equatable {
        /// No table at all: a new database.
        case empty
        /// pairmatch's tables at `version` (≤ `schemaVersion`), but no gallery yet (no `meta` row).
        case tables(version: Int)
        /// A gallery of the current schema, with its `meta` row.
        case gallery(Meta)
    }

    /// Whether the database is empty, has the tables only, or holds a gallery (with `lockingMeta`, its `meta` row
    /// is locked `FOR UPDATE` until the transaction ends). Throws `.notAGallery` for a database with other tables
    /// and no pairmatch schema, `.unsupportedFormat` for a newer schema or gallery format, and `.database` for an
    /// older schema (run `pairmatch gallery migrate`). Two or three small queries.
    static func contents(_ session: PostgresSession, lockingMeta: Bool = false) throws -> Contents {
        switch try version(session) {
        case nil: return .empty
        case let v? where v < schemaVersion:
            throw GalleryStoreError.database(location: session.location, reason: "the gallery's tables are of schema version \(v), older than this pairmatch's \(schemaVersion); run 'pairmatch gallery migrate --gallery \(session.location)'")
        default:
            guard let meta = try readMeta(session, forUpdate: lockingMeta) else { return .tables(version: schemaVersion) }
            return .gallery(meta)
        }
    }

    /// The schema version, nil for a database with no table at all. Throws `.notAGallery` / `.unsupportedFormat` /
    /// `.corrupt` as `contents` says.
    static func version(_ session: PostgresSession) throws -> Int? {
        let location = session.location
        let probe = try session.rows("""
            SELECT to_regclass('pairmatch_schema_version') IS NOT NULL,
                   (SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
                       AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%')
            """)
        let (hasVersionTable, tables) = try probe[0].decode((Bool, Int64).self)
        guard hasVersionTable else {
            if tables == 0 { return nil }
            throw GalleryStoreError.notAGallery(location: location, reason: "the database holds \(tables) other table\(tables == 1 ? "" : "s") and no pairmatch schema (no table pairmatch_schema_version)")
        }
        let rows = try session.rows("SELECT version FROM pairmatch_schema_version")
        guard rows.count == 1 else {
            throw GalleryStoreError.corrupt(location: location, reason: "pairmatch_schema_version has \(rows.count) rows, expected 1")
        }
        let version = Int(try rows[0].decode(Int32.self))
        guard version <= schemaVersion else {
            throw GalleryStoreError.unsupportedFormat(location: location, found: version, supported: schemaVersion)
        }
        guard version >= 1 else { throw GalleryStoreError.corrupt(location: location, reason: "schema version \(version)") }
        return version
    }

    /// The `meta` row (nil when there is none yet), its kind and format version checked first.
    static func readMeta(_ session: PostgresSession, forUpdate: Bool) throws -> Meta? {
        let location = session.location
        let rows = try session.rows(PostgresQuery(unsafeSQL: """
            SELECT kind, format_version, encoder_fingerprint, dimension, created, updated, generation FROM meta
            """ + (forUpdate ? " FOR UPDATE" : "")))
        guard let row = rows.first else { return nil }
        let (kind, format) = try row.decode((String, Int32).self)
        guard kind == Self.kind else {
            throw GalleryStoreError.notAGallery(location: location, reason: "meta kind is '\(kind)', expected '\(Self.kind)'")
        }
        guard format <= formatVersion else {
            throw GalleryStoreError.unsupportedFormat(location: location, found: Int(format), supported: formatVersion)
        }
        guard format >= 1 else { throw GalleryStoreError.corrupt(location: location, reason: "meta format_version is \(format)") }
        let (_, _, fingerprint, dimension, created, updated, generation) = try row.decode((String, Int32, String, Int32?, Date, Date, Int64).self)
        return Meta(formatVersion: Int(format), encoderFingerprint: fingerprint, dimension: dimension.map(Int.init),
                    created: created, updated: updated, generation: generation)
    }

    /// Creates the tables in an empty database, or upgrades older ones, to `schemaVersion` (call inside a write
    /// transaction). Returns the version found (0: none). Holds `creationLock`, and looks again once it has it, so
    /// that concurrent creators do the work once; refuses what `contents` refuses and a database not in UTF8.
    @discardableResult
    static func migrate(_ session: PostgresSession) throws -> Int {
        try session.execute("SELECT pg_advisory_xact_lock(\(creationLock))")
        let found = try version(session) ?? 0
        guard found < schemaVersion else { return found }
        if found == 0 {
            let encoding = try session.rows("SELECT current_setting('server_encoding')")[0].decode(String.self)
            guard encoding == "UTF8" else {
                throw GalleryStoreError.database(location: session.location, reason: "the database's encoding is \(encoding); a gallery needs one created with ENCODING 'UTF8'")
            }
        }
        for version in found..<schemaVersion {
            for statement in migrations[version] { try session.execute(PostgresQuery(unsafeSQL: statement)) }
        }
        if found == 0 {
            try session.execute("INSERT INTO pairmatch_schema_version (version) VALUES (\(Int32(schemaVersion)))")
        } else {
            try session.execute("UPDATE pairmatch_schema_version SET version = \(Int32(schemaVersion))")
        }
        return found
    }

    /// Writes the `meta` row of a new gallery (the tables exist, the row does not).
    static func insertMeta(_ session: PostgresSession, _ meta: Meta) throws {
        try session.execute("""
            INSERT INTO meta (kind, format_version, encoder_fingerprint, dimension, created, updated, generation)
            VALUES (\(kind), \(Int32(meta.formatVersion)), \(meta.encoderFingerprint), \(meta.dimension.map { Int32($0) }),
                    \(meta.created), \(meta.updated), \(meta.generation))
            """)
    }

    /// Rewrites the gallery-wide values (an empty gallery taking another gallery's identity in `importAll`).
    static func overwriteMeta(_ session: PostgresSession, _ meta: Meta) throws {
        try session.execute("""
            UPDATE meta SET encoder_fingerprint = \(meta.encoderFingerprint), dimension = \(meta.dimension.map { Int32($0) }),
                            created = \(meta.created), updated = \(meta.updated), generation = \(meta.generation)
            """)
    }

    /// Marks a committed change of `people` (each with its `op`): `generation` + 1, `updated` = now (whole seconds),
    /// one `change_log` row per person, and a notification to the listeners at commit. Returns the new generation.
    @discardableResult
    static func bump(_ session: PostgresSession, changes: [(person: String, op: String)]) throws -> Int64 {
        let rows = try session.rows("UPDATE meta SET generation = generation + 1, updated = \(seconds(Date())) RETURNING generation")
        let generation = try rows[0].decode(Int64.self)
        try log(session, generation: generation, changes: changes)
        try notify(session, generation: generation)
        return generation
    }

    /// Appends `changes` to `change_log` at `generation` (in chunks, one statement each).
    static func log(_ session: PostgresSession, generation: Int64, changes: [(person: String, op: String)]) throws {
        for start in stride(from: 0, to: changes.count, by: 10_000) {
            let chunk = changes[start ..< min(start + 10_000, changes.count)]
            try session.execute("""
                INSERT INTO change_log (generation, person, op)
                SELECT \(generation), p, o FROM unnest(\(chunk.map(\.person)), \(chunk.map(\.op))) AS c(p, o)
                """)
        }
    }

    /// `date` rounded down to whole seconds (as `FaceGallery` keeps its times).
    static func seconds(_ date: Date) -> Date { Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)) }
}

extension PostgresGalleryStore {
    /// See `GalleryStore.migrate`: one transaction creating the tables in an empty database or upgrading older ones.
    func migrate() throws -> GalleryMigration? {
        try withSession { session in
            let found = try session.transaction { try PostgresSchema.migrate(session) }
            return GalleryMigration(from: found, to: PostgresSchema.schemaVersion)
        }
    }
}
