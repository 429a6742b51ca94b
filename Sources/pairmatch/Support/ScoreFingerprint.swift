import Foundation
import LogisticHead
import PairsInput
import WeightStore

/// Everything that decides the rows of a `score` output, recorded beside `OUT.partial` (in
/// `OUT.partial.fingerprint`) so that `--resume` continues only a partial file written by the same run: the pairs
/// file's content (sha256), the folder its image paths resolve against, the encoder's fingerprint, the decision
/// head (sha256 of its weights, intercept, feature kind and threshold), the prior, and every face option that can
/// change an embedding or an error (`--aligned`, `--jitter`, `--upsample`, `--no-retry`, `--min-face`,
/// `--detection-threshold`, `--pick` as resolved, `--max-pixels`). `--threads` and `--cache` do not change a value
/// and are not recorded. The image files themselves are not hashed (too costly); replacing a photo between the
/// interrupted run and the resume is not detected.
///
/// Text form: a first line `pairmatch score fingerprint 1`, then one `key=value` line per entry, in a fixed order.
struct ScoreFingerprint: Equatable {
    static let firstLine = "pairmatch score fingerprint 1"

    /// `(key, value)` in a fixed order; keys are the option names users know (see `label`).
    var entries: [(key: String, value: String)]

    static func == (a: ScoreFingerprint, b: ScoreFingerprint) -> Bool {
        a.entries.map(\.key) == b.entries.map(\.key) && a.entries.map(\.value) == b.entries.map(\.value)
    }

    /// The fingerprint of this run. Reads the pairs file once more to hash it (a file-level failure is exit 2).
    static func of(pairs list: PairsFile, imagesRoot: URL?, encoder: String, head: LogisticHead, face: FaceOptions,
                   choice: String) throws -> ScoreFingerprint {
        let content: Data
        do { content = try Data(contentsOf: list.url) } catch {
            throw CommandFailure.badInput("\(list.url.path): cannot read (\(error.localizedDescription))")
        }
        let root = (imagesRoot ?? list.url.deletingLastPathComponent()).standardizedFileURL.path
        return ScoreFingerprint(entries: [
            ("pairs-sha256", SHA256.hex([UInt8](content))),
            ("images", root),
            ("encoder", encoder),
            ("head-sha256", headDigest(head)),
            ("prior", "\(head.prior)"),
            ("aligned", face.aligned ? "1" : "0"),
            ("jitter", "\(face.jitter)"),
            ("upsample", "\(face.upsample)"),
            ("no-retry", face.noRetry ? "1" : "0"),
            ("min-face", "\(face.minimumFace)"),
            ("detection-threshold", "\(face.detectionThreshold)"),
            ("pick", choice),
            ("max-pixels", "\(face.maxPixels)"),
        ])
    }

    /// sha256 of what the head computes with: weight and intercept bit patterns, feature kind, threshold (the prior
    /// is its own entry).
    static func headDigest(_ head: LogisticHead) -> String {
        var bytes: [UInt8] = Array(head.featureKind.rawValue.utf8)
        for f in head.weights + [head.balancedBias, head.threshold] {
            withUnsafeBytes(of: f.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return SHA256.hex(bytes)
    }

    var text: String {
        ([Self.firstLine] + entries.map { "\($0.key)=\($0.value)" }).joined(separator: "\n") + "\n"
    }

    /// The fingerprint in `text`, or nil when it is not one.
    static func parse(_ text: String) -> ScoreFingerprint? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first == firstLine else { return nil }
        lines.removeFirst()
        if lines.last == "" { lines.removeLast() }
        var entries: [(key: String, value: String)] = []
        for line in lines {
            guard let eq = line.firstIndex(of: "=") else { return nil }
            entries.append((String(line[..<eq]), String(line[line.index(after: eq)...])))
        }
        return ScoreFingerprint(entries: entries)
    }

    /// What differs between `recorded` (the partial file's) and this run, as "what (recorded → now)" phrases in entry
    /// order; empty when they agree.
    func changes(since recorded: ScoreFingerprint) -> [String] {
        let old = Dictionary(recorded.entries.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        var result: [String] = []
        for (key, value) in entries where old[key] != value {
            result.append("\(Self.label(key)) (\(Self.short(old[key] ?? "not recorded")) → \(Self.short(value)))")
        }
        let known = Set(entries.map(\.key))
        for (key, _) in recorded.entries where !known.contains(key) { result.append("\(Self.label(key)) (no longer applies)") }
        return result
    }

    /// The user-facing name of an entry.
    static func label(_ key: String) -> String {
        switch key {
        case "pairs-sha256": return "the pairs file's content"
        case "images": return "the images folder (--images)"
        case "encoder": return "the encoder"
        case "head-sha256": return "the head"
        default: return "--\(key)"
        }
    }

    /// Hashes and fingerprints shortened to 12 characters.
    private static func short(_ value: String) -> String {
        value.count == 64 && value.allSatisfy(\.isHexDigit) ? String(value.prefix(12)) + "…" : value
    }
}
