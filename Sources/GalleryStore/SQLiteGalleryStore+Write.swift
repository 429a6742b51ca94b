import FaceEmbedding
import Foundation
import Gallery
import GRDB

extension SQLiteGalleryStore {
    /// See `GalleryStore.enroll`. Each entry is one `BEGIN IMMEDIATE` transaction that reads only that person's
    /// rows, validates by `FaceGallery.enroll` itself (run on a one-person gallery of those rows, so refusals and
    /// outcomes are exactly the in-memory ones; the gallery-wide size limits are checked on the tables), then
    /// writes that person's rows and bumps `meta.generation`. The callback of entry i runs after its commit.
    ///
    /// A missing store is created (its own transaction, `meta` from `encoderFingerprint`/`dimension`, generation 1)
    /// only when at least one entry would be enrolled (decided by the same enrolments on an empty gallery).
    func enroll(_ batch: [GalleryEnrolment], encoderFingerprint: String, dimension: Int,
                committed: (Int, Result<FaceGallery.EnrolmentOutcome, GalleryError>) -> Void) throws {
        try mapped {
            let location = self.location
            var pool = try database(creating: false)
            let isGallery = try pool.map { p in
                try p.read { db in
                    guard try GallerySchema.contents(db, location: location) == .gallery else { return false }
                    try Self.checkStore(GallerySchema.readMeta(db, location: location), location: location,
                                        encoderFingerprint: encoderFingerprint, dimension: dimension)
                    return true
                }
            } ?? false
            if !isGallery {
                if StoredEnrolment.refusedEntirely(batch, encoderFingerprint: encoderFingerprint, dimension: dimension,
                                                   committed: committed) { return }
                pool = try database(creating: true)
                let meta = GallerySchema.Meta(formatVersion: GallerySchema.formatVersion, encoderFingerprint: encoderFingerprint,
                                              dimension: dimension, created: GallerySchema.seconds(Date()),
                                              updated: GallerySchema.seconds(Date()), generation: 1)
                try pool!.writeWithoutTransaction { db in
                    try db.inTransaction(.immediate) {
                        // Another process may have created it meanwhile: then each entry checks it.
                        if try GallerySchema.contents(db, location: location) == .fresh { try GallerySchema.create(db, meta: meta) }
                        return .commit
                    }
                }
            }
            for (i, entry) in batch.enumerated() {
                committed(i, try enrolOne(entry, pool: pool!, encoderFingerprint: encoderFingerprint, dimension: dimension))
            }
        }
    }

    /// One entry, one transaction: `.failure` when the gallery refuses it (nothing written), else its outcome once
    /// committed. Store-level problems throw.
    private func enrolOne(_ entry: GalleryEnrolment, pool: DatabasePool, encoderFingerprint: String,
                          dimension: Int) throws -> Result<FaceGallery.EnrolmentOutcome, GalleryError> {
        let name: String
        do { name = try FaceGallery.normalizedName(entry.name) } catch { return .failure(error) }
        let location = self.location
        do {
            return .success(try pool.writeWithoutTransaction { db in
                var outcome: FaceGallery.EnrolmentOutcome?
                try db.inTransaction(.immediate) {
                    outcome = try Self.enrol(db, name: name, entry: entry, location: location,
                                             encoderFingerprint: encoderFingerprint, dimension: dimension)
                    return .commit
                }
                return outcome!
            })
        } catch let refusal as Refusal {
            return .failure(refusal.error)
        }
    }

    /// The enrolment of `entry` (its name already `name`, NFC) inside a write transaction.
    private static func enrol(_ db: Database, name: String, entry: GalleryEnrolment, location: String,
                              encoderFingerprint: String, dimension: Int) throws -> FaceGallery.EnrolmentOutcome {
        guard try GallerySchema.contents(db, location: location) == .gallery else {
            throw GalleryStoreError.corrupt(location: location, reason: "the gallery's tables are gone")
        }
        let meta = try GallerySchema.readMeta(db, location: location)
        try checkStore(meta, location: location, encoderFingerprint: encoderFingerprint, dimension: dimension)
        if meta.dimension == nil { try GallerySchema.setDimension(db, dimension) }

        // The person as stored (a one-person gallery), so that FaceGallery.enroll decides exactly as in memory.
        var person: (id: Int64, stored: FaceGallery.StoredIdentity)?
        if let row = try Row.fetchOne(db, sql: "SELECT id, metadata FROM people WHERE name = ?", arguments: [name]) {
            guard let id = integer(row, 0) else { throw GalleryStoreError.corrupt(location: location, reason: "person \(quote(name)) has no integer id") }
            let metadata: String?
            switch value(row, 1) {
            case .null: metadata = nil
            case .string(let m): metadata = m
            default: throw GalleryStoreError.corrupt(location: location, reason: "person \(quote(name)) has metadata that is not text")
            }
            person = (id, FaceGallery.StoredIdentity(name: name, metadata: metadata,
                                                     embeddings: try embeddings(db, person: id, name: name, dimension: dimension, location: location)))
        }
        let (outcome, removed) = try StoredEnrolment.decide(entry, name: name, stored: person?.stored,
                                                            encoderFingerprint: encoderFingerprint, dimension: dimension, location: location)

        // The gallery-wide limits that a one-person gallery cannot see.
        if person == nil { try checkLimit(db, table: "people", adding: 1, limit: GalleryLimits.maxIdentities, what: "identities") }
        try checkLimit(db, table: "embeddings", adding: entry.embeddings.count - removed, limit: GalleryLimits.maxEmbeddings, what: "embeddings")

        let personID: Int64
        switch outcome {
        case .added:
            try db.execute(sql: "INSERT INTO people (name, metadata) VALUES (?, ?)", arguments: [name, entry.metadata])
            personID = db.lastInsertedRowID
        case .extended:
            personID = person!.id
            if let metadata = entry.metadata {
                try db.execute(sql: "UPDATE people SET metadata = ? WHERE id = ?", arguments: [metadata, personID])
            }
        case .replaced:
            personID = person!.id
            try db.execute(sql: "DELETE FROM embeddings WHERE person_id = ?", arguments: [personID])
            try db.execute(sql: "UPDATE people SET metadata = ? WHERE id = ?", arguments: [entry.metadata, personID])
        }
        try insert(db, embeddings: entry.embeddings, person: personID)
        try GallerySchema.bump(db, now: GallerySchema.seconds(Date()))
        return outcome
    }

    /// See `GalleryStore.remove`: one transaction deleting the person's row (its embeddings go by the foreign key's
    /// `ON DELETE CASCADE`) and bumping `meta.generation`; nothing is written when there is no such person.
    func remove(name: String) throws -> Bool {
        try mapped {
            let pool = try existingDatabase()
            let location = self.location
            let normalised = try? FaceGallery.normalizedName(name)
            return try pool.writeWithoutTransaction { db in
                var removed = false
                try db.inTransaction(.immediate) {
                    guard try GallerySchema.contents(db, location: location) == .gallery else { throw GalleryStoreError.missing(location: location) }
                    _ = try GallerySchema.readMeta(db, location: location)
                    guard let normalised,
                          let id = try Int64.fetchOne(db, sql: "SELECT id FROM people WHERE name = ?", arguments: [normalised]) else {
                        return .rollback
                    }
                    try db.execute(sql: "DELETE FROM people WHERE id = ?", arguments: [id])
                    try GallerySchema.bump(db, now: GallerySchema.seconds(Date()))
                    removed = true
                    return .commit
                }
                return removed
            }
        }
    }

    /// See `GalleryStore.importAll`: one transaction creating the tables (or taking over an empty gallery, whose
    /// generation goes on counting), then every identity in order and every row of the search matrix in row order,
    /// so `load` gives `gallery` back exactly (times in whole seconds).
    func importAll(_ gallery: FaceGallery) throws {
        try mapped {
            let pool = try database(creating: true)!
            let location = self.location
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    var meta = GallerySchema.Meta(formatVersion: GallerySchema.formatVersion, encoderFingerprint: gallery.encoderFingerprint,
                                                  dimension: gallery.dimension, created: GallerySchema.seconds(gallery.created),
                                                  updated: GallerySchema.seconds(gallery.updated), generation: 1)
                    switch try GallerySchema.contents(db, location: location) {
                    case .fresh:
                        try GallerySchema.create(db, meta: meta)
                    case .gallery:
                        let old = try GallerySchema.readMeta(db, location: location)
                        let people = try Int.fetchOne(db, sql: "SELECT count(*) FROM people") ?? 0
                        guard people == 0 else { throw GalleryStoreError.notEmpty(location: location, identities: people) }
                        let stray = try Int.fetchOne(db, sql: "SELECT count(*) FROM embeddings") ?? 0
                        guard stray == 0 else {
                            throw GalleryStoreError.corrupt(location: location, reason: "\(stray) embeddings belong to no person")
                        }
                        meta.generation = old.generation + 1
                        try GallerySchema.overwrite(db, meta: meta)
                    }
                    var ids = [Int64]()   // [K] people.id of identity i
                    ids.reserveCapacity(gallery.count)
                    let person = try db.cachedStatement(sql: "INSERT INTO people (name, metadata) VALUES (?, ?)")
                    for (name, metadata) in zip(gallery.identityNames, gallery.identityMetadata) {
                        try person.execute(arguments: [name, metadata])
                        ids.append(db.lastInsertedRowID)
                    }
                    let matrix = gallery.searchMatrix   // [N, D]
                    let owner = gallery.rowOwners       // [N]
                    let d = gallery.dimension ?? 0
                    let row = try db.cachedStatement(sql: "INSERT INTO embeddings (person_id, vector, checksum) VALUES (?, ?, ?)")
                    for j in 0..<owner.count {
                        let (vector, checksum) = EmbeddingBlob.encode(Embedding(Array(matrix[j * d ..< (j + 1) * d])))
                        try row.execute(arguments: [ids[Int(owner[j])], vector, checksum])
                    }
                    return .commit
                }
            }
        }
    }

    // MARK: - Helpers

    /// A per-entry refusal by `FaceGallery.enroll`, thrown to roll the entry's transaction back.
    typealias Refusal = EnrolmentRefusal

    /// The store-level checks of a write: the store's encoder and dimension must be the writer's.
    static func checkStore(_ meta: GallerySchema.Meta, location: String, encoderFingerprint: String, dimension: Int) throws {
        if let d = meta.dimension, d != dimension {
            throw GalleryError.dimensionMismatch(path: location, gallery: d, expected: dimension)
        }
        if meta.encoderFingerprint != encoderFingerprint {
            throw GalleryError.encoderMismatch(path: location, gallery: meta.encoderFingerprint, expected: encoderFingerprint)
        }
    }

    /// The stored `[count]` embeddings of person `id`, in row order, each verified.
    private static func embeddings(_ db: Database, person id: Int64, name: String, dimension: Int, location: String) throws -> [Embedding] {
        var list = [Embedding]()
        let rows = try Row.fetchCursor(db, sql: "SELECT id, vector, checksum FROM embeddings WHERE person_id = ? ORDER BY id", arguments: [id])
        while let row = try rows.next() {
            let rowID = integer(row, 0) ?? -1
            guard let checksum = integer(row, 2) else {
                throw GalleryStoreError.corrupt(location: location, reason: "embedding \(rowID) has no integer checksum")
            }
            let decoded = try row.withUnsafeData(atIndex: 1) { EmbeddingBlob.decode($0, checksum: checksum, dimension: dimension) }
            switch decoded {
            case .success(let e): list.append(e)
            case .failure(let f): throw GalleryStoreError.corrupt(location: location, reason: "embedding \(rowID) of \(quote(name)): \(f.reason)")
            }
        }
        return list
    }

    /// Appends `embeddings` (each `[D]`) as rows of person `person`, in order.
    private static func insert(_ db: Database, embeddings: [Embedding], person: Int64) throws {
        let statement = try db.cachedStatement(sql: "INSERT INTO embeddings (person_id, vector, checksum) VALUES (?, ?, ?)")
        for embedding in embeddings {
            let (vector, checksum) = EmbeddingBlob.encode(embedding)
            try statement.execute(arguments: [person, vector, checksum])
        }
    }

    /// Refuses (`.tooLarge`) adding `adding` rows to `table` beyond `limit` rows. `max(id)` (one index lookup) bounds
    /// the count from above; the count itself is taken only near the limit.
    private static func checkLimit(_ db: Database, table: String, adding: Int, limit: Int, what: String) throws {
        let bound = try Int.fetchOne(db, sql: "SELECT max(id) FROM \(table)") ?? 0
        guard bound + adding > limit else { return }
        let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
        if count + adding > limit { throw Refusal(error: .tooLarge(what: what, limit: limit)) }
    }
}
