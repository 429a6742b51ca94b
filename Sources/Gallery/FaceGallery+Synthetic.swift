import FaceEmbedding
import Foundation
import SeededRandom

extension FaceGallery {
    /// A gallery of `size` synthetic identities "id-0000000", "id-0000001", … with one random unit-norm embedding
    /// `[dimension]` each (components uniform in [−1, 1), normalised; seeded, so equal arguments give equal
    /// galleries). For benchmarks and tests; built directly into the search arrays (no per-identity enrol cost).
    /// Precondition: 0 ≤ size ≤ `GalleryLimits.maxIdentities`, dimension ≥ 1.
    public static func synthetic(size: Int, dimension: Int = Embedding.faceDimension, seed: UInt64 = 42,
                                 encoderFingerprint: String = "synthetic", now: Date = Date()) -> FaceGallery {
        precondition(size >= 0 && size <= GalleryLimits.maxIdentities, "synthetic gallery size \(size) out of range")
        precondition(dimension >= 1, "synthetic gallery dimension \(dimension) must be ≥ 1")
        let d = dimension
        var g = FaceGallery(encoderFingerprint: encoderFingerprint, dimension: d, created: now, updated: now)
        var rng = SplitMix64(seed: seed)
        g.matrix = [Float](unsafeUninitializedCapacity: size * d) { buf, initialised in   // [N, D]
            for j in 0..<size { rng.unitVector(into: buf.baseAddress! + j * d, dimension: d) }
            initialised = size * d
        }
        g.owner = (0..<size).map { Int32($0) }
        g.embeddingCounts = [Int](repeating: 1, count: size)
        g.metadata = [String?](repeating: nil, count: size)
        g.names = (0..<size).map { syntheticName($0) }
        g.nameIndex = Dictionary(uniqueKeysWithValues: g.names.enumerated().map { ($1, $0) })
        g.recomputeNorms()
        return g
    }

    /// "id-" and the index in at least 7 digits.
    static func syntheticName(_ i: Int) -> String {
        let digits = String(i)
        return "id-" + String(repeating: "0", count: max(0, 7 - digits.count)) + digits
    }
}
