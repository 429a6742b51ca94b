/// Everything that can go wrong reading or writing a weight file. Each case names the file and, where it
/// applies, the tensor or attribute; `description` is one line meant for users.
public enum WeightStoreError: Error, CustomStringConvertible, Equatable {
    case missingFile(path: String)
    case notHDF5(path: String)
    case truncated(path: String)
    case unreadable(path: String, reason: String)
    case missingTensor(path: String, tensor: String)
    case shapeMismatch(path: String, tensor: String, expected: [Int], found: [Int])
    case missingAttribute(path: String, object: String, name: String)
    case attributeType(path: String, object: String, name: String, expected: String)
    case unknownFormatVersion(path: String, found: Int, supported: ClosedRange<Int>)
    case wrongKind(path: String, expected: String, found: String)
    case writeFailed(path: String, reason: String)
    /// The tensor's values do not match the `xxh64` checksum written with them: the file is damaged.
    case checksumMismatch(path: String, tensor: String, expected: String, found: String)
    /// The tensor holds a NaN or ±∞ at `index` (row-major element index).
    case nonFinite(path: String, tensor: String, index: Int)

    public var description: String {
        switch self {
        case .missingFile(let p): return "\(p): no such file"
        case .notHDF5(let p): return "\(p): not an HDF5 weight file"
        case .truncated(let p): return "\(p): truncated or damaged HDF5 file"
        case .unreadable(let p, let r): return "\(p): cannot read (\(r))"
        case .missingTensor(let p, let t): return "\(p): missing tensor '\(t)'"
        case .shapeMismatch(let p, let t, let e, let f):
            return "\(p): tensor '\(t)' has shape \(Self.shape(f)), expected \(Self.shape(e))"
        case .missingAttribute(let p, let o, let n): return "\(p): missing attribute '\(n)' on '\(o)'"
        case .attributeType(let p, let o, let n, let e): return "\(p): attribute '\(n)' on '\(o)' is not \(e)"
        case .unknownFormatVersion(let p, let f, let s):
            return "\(p): unknown format_version \(f) (this pairmatch reads \(s.lowerBound == s.upperBound ? "\(s.lowerBound)" : "\(s.lowerBound)...\(s.upperBound)"))"
        case .wrongKind(let p, let e, let f): return "\(p): is a '\(f)' file, expected '\(e)'"
        case .writeFailed(let p, let r): return "\(p): cannot write (\(r))"
        case .checksumMismatch(let p, let t, let e, let f):
            return "\(p): tensor '\(t)' fails its checksum (xxh64 \(f), written \(e)): the file is damaged; restore or rewrite it"
        case .nonFinite(let p, let t, let i): return "\(p): tensor '\(t)' holds a non-finite value (NaN or infinity) at index \(i)"
        }
    }

    static func shape(_ s: [Int]) -> String { "[" + s.map(String.init).joined(separator: ", ") + "]" }
}
