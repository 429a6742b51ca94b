import FaceEmbedding
import Foundation
import ImageDataset
import LogisticHead

/// The binary objective's logistic unit σ(w·|Δ| + b), saved as a LogisticHead file bound to the trained encoder's
/// fingerprint, so `compare`, `score`, `identify` and `verify` use it as they use the face head.
enum EncoderHeadFile {
    /// `unit` `[D + 1]`: w then b.
    static func write(unit: [Float], encoderFingerprint: String, to url: URL) throws {
        let d = unit.count - 1
        let head = try LogisticHead(unitWeights: Array(unit[0..<d]), bias: unit[d], encoderFingerprint: encoderFingerprint)
        try head.save(to: url)
    }

    /// Fits a head on up to 2,000 same-class and as many different-class pairs of `embeddings` `[N, D]` (seeded) and
    /// saves it: the triplet objective's head, so compare, identify and verify work with the new encoder at once.
    static func fit(embeddings e: [Float], dimension d: Int, labels: [Int], seed: UInt64, encoderFingerprint: String, to url: URL) throws {
        let pairs = try ValidationPairs(labels: labels, pairsPerKind: min(2000, ValidationPairs.sameClassPairCount(labels: labels)),
                                        seed: seed ^ 0x4EAD)
        func row(_ i: Int) -> Embedding { Embedding(Array(e[(i * d)..<((i + 1) * d)])) }
        let features = zip(pairs.first, pairs.second).map { PairFeatures(row($0), row($1)) }
        let head = try HeadTrainer(lambda: HeadTrainer.defaultLambda).fit(features: features, labels: pairs.same,
                                                                           encoderFingerprint: encoderFingerprint)
        try head.save(to: url)
    }
}
