import FaceEmbedding
import Foundation
import Gallery
import NIOCore
import PostgresNIO

extension PostgresGalleryStore {
    /// See `GalleryStore.enroll`. Each entry is one transaction that locks the `meta` row (writers of every process
    /// queue there), reads only that person's rows, validates by `FaceGallery.enroll` itself (run on a one-person
    /// gallery of those rows, so refusals and outcomes are exactly the in-memory ones; the gallery-wide size limits are
    /// checked on the tables), then writes that person's rows, bumps `meta.generation` and appends one `change_log` row.
    /// The callback of entry i runs after its commit.
    ///
    /// A missing gallery (an empty database, or the tables without a `meta` row) is created in its own transaction
    /// (tables, then `meta` from `encoderFingerprint`/`dimension`, generation 1) only when at least one entry would be
    /// enrolled (decided by the same enrolments on an empty gallery).
    func enroll(_ batch: [GalleryEnrolment], encoderFingerprint: String, dimension: Int,
                committed: (Int, Result<FaceGallery.EnrolmentOutcome, GalleryError>) -> Void) throws {
        try withSession { session in
            if case .gallery(let meta) = try PostgresSchema.contents(session) {
                try Self.checkStore(meta, location: location, encoderFingerprint: encoderFingerprint, dimension: dimension)
            } else {
                if StoredEnrolment.refusedEntirely(batch, encoderFingerprint: encoderFingerprint, dimension: dimension,
                                                   committed: committed) { return }
                let now = PostgresSchema.seconds(Date())
                try session.transaction {
                    try PostgresSchema.migrate(session)
                    // Another process may have created it meanwhile: then each entry checks it.
                    if case .tables = try PostgresSchema.contents(session, lockingMeta: true) {
                        try PostgresSchema.insertMeta(session, .init(formatVersion: PostgresSchema.formatVersion, encoderFingerprint: encoderFingerprint,
                                                                     dimension: dimension, created: now, updated: now, generation: 1))
                    }
                }
            }
            for (i, entry) in batch.enumerated() {
                committed(i, try enrolOne(entry, session: session, encoderFingerprint: encoderFingerprint, dimension: dimension))
            }
        }
    }

    /// One entry, one transaction: `.failure` when the gallery refuses it (nothing written), else its outcome once
    /// committed. Store-level problems throw.
    private func enrolOne(_ entry: GalleryEnrolment, session: PostgresSession, encoderFingerprint: String,
                          dimension: Int) throws -> Result<FaceGallery.EnrolmentOutcome, GalleryError> {
        let name: String
        do { name = try FaceGallery.normalizedName(entry.name) } catch { return .failure(error) }
        do {
            return .success(try session.transaction {
                try Self.enrol(session, name: name, entry: entry, encoderFingerprint: encoderFingerprint, dimension: dimension)
            })
        } catch let refusal as Refusal {
            return .failure(refusal.error)
        }
    }

    /// The enrolment of `entry` (its name already `name`, NFC) inside a write transaction.
    private static func enrol(_ session: PostgresSession, name: String, entry: GalleryEnrolment,
                              encoderFingerprint: String, dimension: Int) throws -> FaceGallery.EnrolmentOutcome {
        let location = session.location
        guard case .gallery(let meta) = try PostgresSchema.contents(session, lockingMeta: true) else {
            throw GalleryStoreError.corrupt(location: location, reason: "the gallery's tables or its meta row are gone")
        }
        try checkStore(meta, location: location, encoderFingerprint: encoderFingerprint, dimension: dimension)
        if meta.dimension == nil { try session.execute("UPDATE meta SET dimension = \(Int32(dimension))") }

        // The person as stored (a one-person gallery), so that FaceGallery.enroll decides exactly as in memory.
        var person: (id: Int64, stored: FaceGallery.StoredIdentity)?
        if let row = try session.rows("SELECT id, metadata FROM people WHERE name = \(name)").first {
            let (id, metadata) = try row.decode((Int64, String?).self)
            person = (id, FaceGallery.StoredIdentity(name: name, metadata: metadata,
                                                     embeddings: try embeddings(session, person: id, name: name, dimension: dimension)))
        }
        let (outcome, removed) = try StoredEnrolment.decide(entry, name: name, stored: person?.stored,
                                                            encoderFingerprint: encoderFingerprint, dimension: dimension, location: location)

        // The gallery-wide limits that a one-person gallery cannot see.
        if person == nil { try checkLimit(session, table: "people", adding: 1, limit: GalleryLimits.maxIdentities, what: "identities") }
        try checkLimit(session, table: "embeddings", adding: entry.embeddings.count - removed, limit: GalleryLimits.maxEmbeddings, what: "embeddings")

        let personID: Int64
        var op = "enrol"
        switch outcome {
        case .added:
            personID = try session.rows("INSERT INTO people (name, metadata) VALUES (\(name), \(entry.metadata)) RETURNING id")[0].decode(Int64.self)
        case .extended:
            personID = person!.id
            if let metadata = entry.metadata {
                try session.execute("UPDATE people SET metadata = \(metadata) WHERE id = \(personID)")
            }
        case .replaced:
            personID = person!.id
            op = "replace"
            try session.execute("DELETE FROM embeddings WHERE person_id = \(personID)")
            try session.execute("UPDATE people SET metadata = \(entry.metadata) WHERE id = \(personID)")
        }
        try insert(session, owners: [Int64](repeating: personID, count: entry.embeddings.count), embeddings: entry.embeddings)
        try PostgresSchema.bump(session, changes: [(name, op)])
        return outcome
    }

    /// See `GalleryStore.remove`: one transaction locking `meta`, deleting the person's row (its embeddings go by the
    /// foreign key's `ON DELETE CASCADE`), bumping `meta.generation` and logging a 'remove'; nothing is written when
    /// there is no such person.
    func remove(name: String) throws -> Bool {
        try withSession { session in
            let location = self.location
            let normalised = try? FaceGallery.normalizedName(name)
            return try session.transaction {
                guard case .gallery = try PostgresSchema.contents(session, lockingMeta: true) else { throw GalleryStoreError.missing(location: location) }
                guard let normalised, !(try session.rows("DELETE FROM people WHERE name = \(normalised) RETURNING id")).isEmpty else {
                    return false
                }
                try PostgresSchema.bump(session, changes: [(normalised, "remove")])
                return true
            }
        }
    }

    /// See `GalleryStore.importAll`: one transaction creating the tables when the database is empty (or taking over an
    /// empty gallery, whose generation goes on counting), then every identity in order and every row of the search
    /// matrix in row order, so `load` gives `gallery` back exactly (times in whole seconds), and one 'enrol' per person
    /// in `change_log`.
    func importAll(_ gallery: FaceGallery) throws {
        try withSession { session in
            let location = self.location
            try session.transaction {
                try PostgresSchema.migrate(session)
                var meta = PostgresSchema.Meta(formatVersion: PostgresSchema.formatVersion, encoderFingerprint: gallery.encoderFingerprint,
                                               dimension: gallery.dimension, created: PostgresSchema.seconds(gallery.created),
                                               updated: PostgresSchema.seconds(gallery.updated), generation: 1)
                switch try PostgresSchema.contents(session, lockingMeta: true) {
                case .empty:
                    throw GalleryStoreError.database(location: location, reason: "the gallery's tables were not created")
                case .tables:
                    try PostgresSchema.insertMeta(session, meta)
                case .gallery(let old):
                    let people = Int(try session.rows("SELECT count(*) FROM people")[0].decode(Int64.self))
                    guard people == 0 else { throw GalleryStoreError.notEmpty(location: location, identities: people) }
                    let stray = try session.rows("SELECT count(*) FROM embeddings")[0].decode(Int64.self)
                    guard stray == 0 else { throw GalleryStoreError.corrupt(location: location, reason: "\(stray) embeddings belong to no person") }
                    meta.generation = old.generation + 1
                    try PostgresSchema.overwriteMeta(session, meta)
                }
                let ids = try Self.insertPeople(session, names: gallery.identityNames, metadata: gallery.identityMetadata)   // [K]
                let matrix = gallery.searchMatrix   // [N, D]
                let owner = gallery.rowOwners       // [N]
                let d = gallery.dimension ?? 0
                try Self.insert(session, owners: owner.map { ids[Int($0)] },
                                embeddings: (0..<owner.count).map { j in Embedding(Array(matrix[j * d ..< (j + 1) * d])) })
                try PostgresSchema.log(session, generation: meta.generation, changes: gallery.identityNames.map { ($0, "enrol") })
                try PostgresSchema.notify(session, generation: meta.generation)
            }
        }
    }

    // MARK: - Helpers

    /// Rows per multi-row statement.
    private static let chunk = 5_000

    /// A per-entry refusal by `FaceGallery.enroll`, thrown to roll the entry's transaction back.
    typealias Refusal = EnrolmentRefusal

    /// The store-level checks of a write: the store's encoder and dimension must be the writer's.
    static func checkStore(_ meta: PostgresSchema.Meta, location: String, encoderFingerprint: String, dimension: Int) throws {
        if let d = meta.dimension, d != dimension {
            throw GalleryError.dimensionMismatch(path: location, gallery: d, expected: dimension)
        }
        if meta.encoderFingerprint != encoderFingerprint {
            throw GalleryError.encoderMismatch(path: location, gallery: meta.encoderFingerprint, expected: encoderFingerprint)
        }
    }

    /// Inserts `names` (`[K]`, NFC) with `metadata` (`[K]`) as new people in this order; returns their ids (`[K]`,
    /// ascending: the order of the identities).
    private static func insertPeople(_ session: PostgresSession, names: [String], metadata: [String?]) throws -> [Int64] {
        var ids = [Int64]()   // [K]
        ids.reserveCapacity(names.count)
        for start in stride(from: 0, to: names.count, by: chunk) {
            let range = start ..< min(start + chunk, names.count)
            let texts = metadata[range].map { $0 ?? "" }      // [k] (text[] cannot hold NULLs from Swift: `present` says which)
            let present = metadata[range].map { $0 != nil }   // [k]
            let rows = try session.rows("""
                INSERT INTO people (name, metadata)
                SELECT n, CASE WHEN h THEN m END FROM unnest(\(Array(names[range])), \(texts), \(present)) WITH ORDINALITY AS p(n, m, h, i)
                ORDER BY i RETURNING id, name
                """)
            var idOfName = [String: Int64]()
            for row in rows {
                let (id, name) = try row.decode((Int64, String).self)
                idOfName[name] = id
            }
            for name in names[range] {
                guard let id = idOfName[name], id > (ids.last ?? .min) else {
                    throw GalleryStoreError.database(location: session.location, reason: "people were not given ids in their order")
                }
                ids.append(id)
            }
        }
        return ids
    }

    /// Appends `embeddings` (each `[D]`) as rows owned by `owners` (`[N]` people ids), in this order.
    private static func insert(_ session: PostgresSession, owners: [Int64], embeddings: [Embedding]) throws {
        for start in stride(from: 0, to: embeddings.count, by: chunk) {
            let range = start ..< min(start + chunk, embeddings.count)
            let blobs = embeddings[range].map(EmbeddingBlob.encodeBuffer)   // [n] (4·D bytes, checksum)
            try session.execute("""
                INSERT INTO embeddings (person_id, vector, checksum)
                SELECT p, v, c FROM unnest(\(Array(owners[range])), \(blobs.map(\.vector)), \(blobs.map(\.checksum))) WITH ORDINALITY AS e(p, v, c, i)
                ORDER BY i
                """)
        }
    }

    /// Refuses (`.tooLarge`) adding `adding` rows to `table` beyond `limit` rows. `max(id)` (one index lookup) bounds
    /// the count from above; the count itself is taken only near the limit.
    private static func checkLimit(_ session: PostgresSession, table: String, adding: Int, limit: Int, what: String) throws {
        let bound = try session.rows(PostgresQuery(unsafeSQL: "SELECT max(id) FROM \(table)"))[0].decode(Int64?.self) ?? 0
        guard Int(bound) + adding > limit else { return }
        let count = try session.rows(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"))[0].decode(Int64.self)
        if Int(count) + adding > limit { throw Refusal(error: .tooLarge(what: what, limit: limit)) }
    }
}
