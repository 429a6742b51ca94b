import FaceEmbedding
import Foundation
import LogisticHead

/// The binary objective's logistic unit σ(w·|Δ| + b), saved as a LogisticHead file bound to the trained encoder's
/// fingerprint, so `compare`, `score`, `identify` and `verify` use it as they use the face head.
enum EncoderHeadFile {
    /// `unit` `[D + 1]`: w then b.
    static func write(unit: [Float], encoderFingerprint: String, to url: URL) throws {
        let d = unit.count - 1
        let head = try LogisticHead(weights: Array(unit[0..<d]), balancedBias: unit[d], encoderFingerprint: encoderFingerprint)
        try head.save(to: url)
    }
}
