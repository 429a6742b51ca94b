import Foundation

/// One pair to compare, as read from a pairs file.
public struct PairRow: Sendable, Equatable {
    /// The data row's position in the file, from 1 (a header row is not counted).
    public let number: Int
    /// The row's original fields, echoed into output files.
    public let fields: [String]
    /// The two images, resolved to file URLs; nil when the row is malformed.
    public let a: URL?
    public let b: URL?
    /// Same person (true) or not (false); nil when the file has no labels.
    public let label: Bool?
    /// Why the row cannot be used (too few columns, bad label, …); nil for a good row.
    public let problem: String?

    public init(number: Int, fields: [String], a: URL?, b: URL?, label: Bool?, problem: String?) {
        self.number = number
        self.fields = fields
        self.a = a
        self.b = b
        self.label = label
        self.problem = problem
    }
}

/// The formats a pairs file can have (detected from the content).
public enum PairsFormat: String, Sendable, Equatable {
    /// RFC 4180 CSV, `a,b[,label]`, optional header row; label 0/1 (also true/false, same/different).
    case csv
    /// LFW's `pairs.txt`/`pairsDevTrain.txt`: a count line, then `name i j` (same person) and
    /// `name1 i name2 j` (different) rows, tab- or space-separated; images at `ROOT/name/name_%04d.jpg`.
    case lfw
}

/// A pairs file read whole: its format, its header (for CSV output) and its rows in file order.
public struct PairsFile: Sendable {
    public let url: URL
    public let format: PairsFormat
    /// The CSV header row when the file has one; for LFW files the synthetic `a,b,label`.
    public let header: [String]?
    public let rows: [PairRow]

    /// Whether any row carries a label.
    public var hasLabels: Bool { rows.contains { $0.label != nil } }

    /// Every distinct image of the usable rows, in first-appearance order.
    public var distinctImages: [URL] {
        var seen = Set<URL>(), list: [URL] = []
        for row in rows where row.problem == nil {
            for u in [row.a, row.b].compactMap({ $0 }) where seen.insert(u).inserted { list.append(u) }
        }
        return list
    }
}

/// A pairs file that cannot be read at all. One line naming the file (and the line, where known).
public enum PairsFileError: Error, CustomStringConvertible, Equatable {
    case missing(path: String)
    /// A FIFO, device, socket or other special file (`kind`), refused without reading it.
    case notRegularFile(path: String, kind: String)
    /// More than `limit` bytes (`bytes`: the size), refused before the body is read.
    case tooLarge(path: String, bytes: Int, limit: Int)
    case unreadable(path: String, reason: String)
    case empty(path: String)
    case notUTF8(path: String)
    case nulBytes(path: String, line: Int)
    case unterminatedQuote(path: String, line: Int)
    case malformedLFW(path: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .missing(let p): return "\(p): no such pairs file"
        case .notRegularFile(let p, let k): return "\(p): is a \(k), not a regular pairs file"
        case .tooLarge(let p, let b, let l): return "\(p): pairs file too large (\(b) bytes, limit \(l) bytes)"
        case .unreadable(let p, let r): return "\(p): cannot read pairs file (\(r))"
        case .empty(let p): return "\(p): pairs file has no rows"
        case .notUTF8(let p): return "\(p): pairs file is not valid UTF-8"
        case .nulBytes(let p, let l): return "\(p): line \(l): NUL bytes (UTF-16 without a byte-order mark?); save the pairs file as UTF-8"
        case .unterminatedQuote(let p, let l): return "\(p): line \(l): unterminated quoted field"
        case .malformedLFW(let p, let l, let r): return "\(p): line \(l): \(r)"
        }
    }
}
