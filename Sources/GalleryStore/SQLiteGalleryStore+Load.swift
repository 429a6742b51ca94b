import FaceEmbedding
import Foundation
import Gallery
import GRDB

extension SQLiteGalleryStore {
    /// The whole gallery from one read snapshot: identities in `people.id` order, rows in `embeddings.id` order (the
    /// search matrix exactly as `FaceGallery` held it when it was stored). Checks, in this order: a gallery database
    /// of a readable format (`.missing` for a fresh one), the dimension and encoder asked for
    /// (`GalleryError.dimensionMismatch` / `.encoderMismatch` naming the location), then every row: each vector
    /// 4·D bytes, its checksum, finite components, each row's person present (no orphan), each person owning a
    /// row, valid unique names (`FaceGallery.assemble`). Any failure is `GalleryStoreError.corrupt` naming the
    /// location and the row. Cost: one pass over the rows; memory the `[N, D]` matrix plus names.
    func load(expectingEncoder: String?, dimension expected: Int?) throws -> FaceGallery {
        try mapped {
            let pool = try existingDatabase()
            let location = self.location
            return try pool.read { db in try Self.readGallery(db, location: location, expectingEncoder: expectingEncoder, dimension: expected) }
        }
    }

    /// `load`'s body, inside a read transaction.
    static func readGallery(_ db: Database, location: String, expectingEncoder: String?, dimension expected: Int?) throws -> FaceGallery {
        guard try GallerySchema.contents(db, location: location) == .gallery else { throw GalleryStoreError.missing(location: location) }
        let meta = try GallerySchema.readMeta(db, location: location)
        try StoredEnrolment.checkExpected(location: location, storedEncoder: meta.encoderFingerprint, storedDimension: meta.dimension,
                                          expectingEncoder: expectingEncoder, dimension: expected)
        func corrupt(_ reason: String) -> GalleryStoreError { .corrupt(location: location, reason: reason) }

        var names = [String]()            // [K]
        var metadata = [String?]()        // [K]
        var identityOfPerson = [Int64: Int32]()   // people.id → identity index
        let people = try Row.fetchCursor(db, sql: "SELECT id, name, metadata FROM people ORDER BY id")
        while let row = try people.next() {
            guard let id = Self.integer(row, 0) else { throw corrupt("a person has no integer id") }
            guard case .string(let name) = Self.value(row, 1) else { throw corrupt("person \(id) has no text name") }
            switch Self.value(row, 2) {
            case .null: metadata.append(nil)
            case .string(let m): metadata.append(m)
            default: throw corrupt("person \(id) has metadata that is not text")
            }
            identityOfPerson[id] = Int32(clamping: names.count)
            names.append(name)
        }

        let n = try Int.fetchOne(db, sql: "SELECT count(*) FROM embeddings") ?? 0
        guard meta.dimension != nil || n == 0 else { throw corrupt("\(n) embeddings but meta 'embedding_dimension' is NULL") }
        let d = meta.dimension ?? 0
        guard n <= GalleryLimits.maxEmbeddings else { throw corrupt("\(n) embeddings, more than \(GalleryLimits.maxEmbeddings)") }
        var matrix = [Float]()   // [N, D]
        matrix.reserveCapacity(n * d)
        var owner = [Int32]()    // [N]
        owner.reserveCapacity(n)
        let rows = try Row.fetchCursor(db, sql: "SELECT id, person_id, vector, checksum FROM embeddings ORDER BY id")
        while let row = try rows.next() {
            guard let id = Self.integer(row, 0), let person = Self.integer(row, 1) else {
                throw corrupt("an embedding has no integer id or person_id")
            }
            guard let identity = identityOfPerson[person] else { throw corrupt("embedding \(id) belongs to person \(person), who is not stored") }
            guard let checksum = Self.integer(row, 3) else { throw corrupt("embedding \(id) has no integer checksum") }
            let failure = try row.withUnsafeData(atIndex: 2) { data in
                EmbeddingBlob.append(data, checksum: checksum, dimension: d, to: &matrix)
            }
            if let failure { throw corrupt("embedding \(id) of \(Self.quote(names[Int(identity)])): \(failure)") }
            owner.append(identity)
        }
        guard owner.count == n else { throw corrupt("embeddings changed while reading them") }
        do {
            return try FaceGallery.assemble(source: location, encoderFingerprint: meta.encoderFingerprint, dimension: meta.dimension,
                                            created: Date(timeIntervalSince1970: TimeInterval(meta.created)),
                                            updated: Date(timeIntervalSince1970: TimeInterval(meta.updated)),
                                            names: names, metadata: metadata, matrix: matrix, owner: owner)
        } catch {
            if case .corrupt(_, let reason) = error { throw corrupt(reason) }
            throw error
        }
    }

    /// Column `i` of `row` as SQLite stored it (never GRDB's converting subscript, which stops the process on a
    /// value of an unexpected type).
    static func value(_ row: Row, _ i: Int) -> DatabaseValue.Storage { (row[i] as DatabaseValue).storage }

    /// Column `i` of `row` when it holds an integer.
    static func integer(_ row: Row, _ i: Int) -> Int64? {
        if case .int64(let v) = value(row, i) { return v }
        return nil
    }

    /// A name in double quotes, control characters escaped (messages stay on one line).
    static func quote(_ s: String) -> String {
        let escaped = s.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }
        return "\"" + escaped.joined().replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
