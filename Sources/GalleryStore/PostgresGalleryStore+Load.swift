import FaceEmbedding
import Foundation
import Gallery
import NIOCore
import PostgresNIO

extension PostgresGalleryStore {
    /// The whole gallery from one `REPEATABLE READ` snapshot: identities in `people.id` order, rows in
    /// `embeddings.id` order (the search matrix exactly as `FaceGallery` held it). Checks, in this order: a gallery
    /// (`.missing` for an empty database or tables without a `meta` row), the dimension and encoder asked for
    /// (`GalleryError.dimensionMismatch` / `.encoderMismatch` naming the location), then every row: each vector 4·D
    /// bytes, its checksum, finite components, each row's person present, each person owning a row, valid unique names
    /// (`FaceGallery.assemble`). Any failure is `GalleryStoreError.corrupt` naming the location and the row, never a
    /// wrong gallery. Rows are decoded as they arrive: memory is the `[N, D]` matrix plus names.
    func load(expectingEncoder: String?, dimension expected: Int?) throws -> FaceGallery {
        try withSession { session in
            try session.transaction("ISOLATION LEVEL REPEATABLE READ READ ONLY") {
                try Self.readGallery(session, expectingEncoder: expectingEncoder, dimension: expected)
            }
        }
    }

    /// `load`'s body, inside a read transaction.
    static func readGallery(_ session: PostgresSession, expectingEncoder: String?, dimension expected: Int?) throws -> FaceGallery {
        let location = session.location
        guard case .gallery(let meta) = try PostgresSchema.contents(session) else { throw GalleryStoreError.missing(location: location) }
        try StoredEnrolment.checkExpected(location: location, storedEncoder: meta.encoderFingerprint, storedDimension: meta.dimension,
                                          expectingEncoder: expectingEncoder, dimension: expected)
        func corrupt(_ reason: String) -> GalleryStoreError { .corrupt(location: location, reason: reason) }

        var names = [String]()                    // [K]
        var metadata = [String?]()                // [K]
        var identityOfPerson = [Int64: Int32]()   // people.id → identity index
        for row in try session.rows("SELECT id, name, metadata FROM people ORDER BY id") {
            let (id, name, text) = try row.decode((Int64, String, String?).self)
            identityOfPerson[id] = Int32(clamping: names.count)
            names.append(name)
            metadata.append(text)
        }

        let n = Int(try session.rows("SELECT count(*) FROM embeddings")[0].decode(Int64.self))
        guard meta.dimension != nil || n == 0 else { throw corrupt("\(n) embeddings but meta dimension is NULL") }
        guard n <= GalleryLimits.maxEmbeddings else { throw corrupt("\(n) embeddings, more than \(GalleryLimits.maxEmbeddings)") }
        let rows = MatrixBuilder(dimension: meta.dimension ?? 0, capacity: n, identityOfPerson: identityOfPerson, names: names)
        try session.forEach("SELECT id, person_id, vector, checksum FROM embeddings ORDER BY id") { row in rows.append(row) }
        if let failure = rows.failure { throw corrupt(failure) }
        guard rows.owner.count == n else { throw corrupt("embeddings changed while reading them") }
        do {
            return try FaceGallery.assemble(source: location, encoderFingerprint: meta.encoderFingerprint, dimension: meta.dimension,
                                            created: meta.created, updated: meta.updated,
                                            names: names, metadata: metadata, matrix: rows.matrix, owner: rows.owner)
        } catch {
            if case .corrupt(_, let reason) = error { throw corrupt(reason) }
            throw error
        }
    }

    /// The stored `[count]` embeddings of person `id` (named `name`), in row order, each verified.
    static func embeddings(_ session: PostgresSession, person id: Int64, name: String, dimension: Int) throws -> [Embedding] {
        var list = [Embedding]()
        for row in try session.rows("SELECT id, vector, checksum FROM embeddings WHERE person_id = \(id) ORDER BY id") {
            let (rowID, vector, checksum) = try row.decode((Int64, ByteBuffer, Int64).self)
            let decoded = vector.withUnsafeReadableBytes { EmbeddingBlob.decode($0, checksum: checksum, dimension: dimension) }
            switch decoded {
            case .success(let e): list.append(e)
            case .failure(let f):
                throw GalleryStoreError.corrupt(location: session.location, reason: "embedding \(rowID) of \(SQLiteGalleryStore.quote(name)): \(f.reason)")
            }
        }
        return list
    }
}

/// The search matrix built from embedding rows as they arrive (on the event loop thread, one row at a time; read by
/// the waiting thread only after the query has completed). The first bad row is kept as `failure`; rows after it are
/// ignored.
private final class MatrixBuilder: @unchecked Sendable {
    let d: Int
    let identityOfPerson: [Int64: Int32]
    let names: [String]
    var matrix = [Float]()   // [N, D]
    var owner = [Int32]()    // [N]
    var failure: String?

    init(dimension: Int, capacity n: Int, identityOfPerson: [Int64: Int32], names: [String]) {
        d = dimension
        self.identityOfPerson = identityOfPerson
        self.names = names
        matrix.reserveCapacity(n * dimension)
        owner.reserveCapacity(n)
    }

    func append(_ row: PostgresRow) {
        guard failure == nil else { return }
        let id: Int64, person: Int64, vector: ByteBuffer, checksum: Int64
        do { (id, person, vector, checksum) = try row.decode((Int64, Int64, ByteBuffer, Int64).self) } catch {
            failure = "an embedding row has columns of unexpected types"
            return
        }
        guard let identity = identityOfPerson[person] else {
            failure = "embedding \(id) belongs to person \(person), who is not stored"
            return
        }
        if let reason = vector.withUnsafeReadableBytes({ EmbeddingBlob.append($0, checksum: checksum, dimension: d, to: &matrix) }) {
            failure = "embedding \(id) of \(SQLiteGalleryStore.quote(names[Int(identity)])): \(reason)"
            return
        }
        owner.append(identity)
    }
}
