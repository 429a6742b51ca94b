import FaceEmbedding
import Foundation
import NIOCore
import WeightStore

/// The stored form of one embedding in the SQLite and PostgreSQL galleries: `vector` = the `[D]` float32 components as
/// little-endian bytes (4·D), `checksum` = XXH64 (seed 0) of those bytes (`TensorChecksum`, whose digest of the
/// `[D]` values is exactly that on the little-endian machines pairmatch runs on), stored as the signed 64-bit
/// integer with the same bits.
enum EmbeddingBlob {
    /// The blob and checksum of `embedding` (`[D]`).
    static func encode(_ embedding: Embedding) -> (vector: Data, checksum: Int64) {
        let values = embedding.values   // [D]
        var data = Data(count: values.count * 4)
        data.withUnsafeMutableBytes { raw in
            for (k, v) in values.enumerated() { raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 4 * k, as: UInt32.self) }
        }
        return (data, Int64(bitPattern: TensorChecksum.digest(values).xxh64))
    }

    /// Appends the `[D]` components of `vector` to `matrix` (`[rows, D]` → `[rows + 1, D]`) after checking its length,
    /// its checksum and that every component is finite. Returns nil when appended, else why not (and `matrix` is
    /// unchanged): the caller names the row and the file.
    static func append(_ vector: Data?, checksum: Int64, dimension d: Int, to matrix: inout [Float]) -> String? {
        guard let vector else { return "vector is NULL" }
        return vector.withUnsafeBytes { append($0, checksum: checksum, dimension: d, to: &matrix) }
    }

    /// `append` for the vector's bytes in memory (`bytes.count` = 4·D when it is well formed).
    static func append(_ bytes: UnsafeRawBufferPointer, checksum: Int64, dimension d: Int, to matrix: inout [Float]) -> String? {
        guard bytes.count == 4 * d else { return "vector is \(bytes.count) bytes, expected \(4 * d) (\(d) float32)" }
        let start = matrix.count
        for k in 0..<d {
            matrix.append(Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self))))
        }
        let (hash, nonFinite) = matrix.withUnsafeBufferPointer { m in
            TensorChecksum.digest(UnsafeBufferPointer(rebasing: m[start ..< start + d]))
        }
        if Int64(bitPattern: hash) != checksum {
            matrix.removeLast(d)
            return "vector fails its checksum (xxh64 \(TensorChecksum.hex(hash)), stored \(TensorChecksum.hex(UInt64(bitPattern: checksum))))"
        }
        if let k = nonFinite {
            let v = matrix[start + k]
            matrix.removeLast(d)
            return "component \(k) is \(v), not a finite number"
        }
        return nil
    }

    /// The `[D]` embedding stored as `vector`, or why it is not one.
    static func decode(_ vector: Data?, checksum: Int64, dimension d: Int) -> Result<Embedding, BlobFailure> {
        guard let vector else { return .failure(BlobFailure(reason: "vector is NULL")) }
        return vector.withUnsafeBytes { decode($0, checksum: checksum, dimension: d) }
    }

    /// `decode` for the vector's bytes in memory.
    static func decode(_ bytes: UnsafeRawBufferPointer, checksum: Int64, dimension d: Int) -> Result<Embedding, BlobFailure> {
        var values = [Float]()   // [D]
        values.reserveCapacity(d)
        if let reason = append(bytes, checksum: checksum, dimension: d, to: &values) { return .failure(BlobFailure(reason: reason)) }
        return .success(Embedding(values))
    }

    /// The blob of `embedding` (`[D]`) as a ByteBuffer (PostgreSQL's bytea), with its checksum.
    static func encodeBuffer(_ embedding: Embedding) -> (vector: ByteBuffer, checksum: Int64) {
        let (data, checksum) = encode(embedding)
        var buffer = ByteBufferAllocator().buffer(capacity: data.count)
        buffer.writeBytes(data)
        return (buffer, checksum)
    }

    /// Why a stored vector was refused.
    struct BlobFailure: Error {
        let reason: String
    }
}
