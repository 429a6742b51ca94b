import CSV
import Foundation
import ImageInput

/// Reads a pairs file: RFC 4180 CSV (`a,b[,label]`, header optional) or an LFW pairs list, detected from the
/// content. Paths in the file are resolved against `imagesRoot` when given, else against the file's folder.
///
/// Problems with single rows (too few columns, a label that is not 0/1) do not fail the file: the row is kept
/// with its `problem`, so batch jobs can report it in place. Problems with the whole file (missing, not UTF-8,
/// an unterminated quote, no rows) throw `PairsFileError`.
public enum PairsReader {
    /// Header names recognised in a CSV's first row (case-insensitive).
    public static let headerNames: Set<String> = [
        "a", "b", "label", "same", "is_same", "issame", "image_a", "image_b", "path_a", "path_b", "file_a", "file_b",
        "img1", "img2", "image1", "image2", "path1", "path2", "left", "right", "first", "second",
    ]

    /// Reads and parses the pairs file at `url` (through `BoundedFile`: regular files only, at most `maxBytes`).
    /// - Throws: `PairsFileError` naming `url.path`.
    public static func read(_ url: URL, imagesRoot: URL? = nil, maxBytes: Int = BoundedFile.defaultMaxBytes) throws -> PairsFile {
        let text = try load(url, maxBytes: maxBytes)
        let root = imagesRoot ?? url.deletingLastPathComponent()
        if looksLikeLFW(text) { return try LFWPairs.parse(text, url: url, root: root) }
        return try parseCSV(text, url: url, root: root)
    }

    /// Parses a label: 1/0, true/false, yes/no, same/different (case-insensitive); nil if none of these.
    public static func label(_ field: String) -> Bool? {
        switch field.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "true", "yes", "same": return true
        case "0", "false", "no", "different", "diff": return false
        default: return nil
        }
    }

    /// How many leading bytes are checked for NUL bytes before the rest of a pairs file is read.
    static let signatureLength = 512

    /// The file's bytes read through `BoundedFile` (a FIFO or device is refused without blocking; a file whose
    /// first bytes hold a NUL byte, i.e. binary data or UTF-16 without a byte-order mark, is refused as `.nulBytes`
    /// before the rest is read; at most `maxBytes`), as UTF-8 text. A UTF-16/32 byte-order mark passes the early
    /// NUL check so the UTF-8 check below names the encoding.
    static func load(_ url: URL, maxBytes: Int = BoundedFile.defaultMaxBytes) throws -> String {
        let path = url.path
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path: path, name: path, maxBytes: maxBytes, signatureLength: signatureLength) { head in
                let bom = head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF])
                if !bom, let nul = head.firstIndex(of: 0) {
                    throw PairsFileError.nulBytes(path: path, line: head[..<nul].filter { $0 == 0x0A }.count + 1)
                }
            }
        } catch let e as BoundedFileError {
            switch e {
            case .missingFile: throw PairsFileError.missing(path: path)
            case .isDirectory: throw PairsFileError.unreadable(path: path, reason: "is a directory")
            case .notRegularFile(_, let kind): throw PairsFileError.notRegularFile(path: path, kind: kind)
            case .unreadable(_, let reason): throw PairsFileError.unreadable(path: path, reason: reason)
            case .empty: throw PairsFileError.empty(path: path)
            case .tooLarge(_, let b, let l): throw PairsFileError.tooLarge(path: path, bytes: b, limit: l)
            }
        }
        let data = Data(bytes)
        guard let text = String(data: data, encoding: .utf8) else { throw PairsFileError.notUTF8(path: url.path) }
        // UTF-16 without a byte-order mark decodes as "valid" UTF-8 full of NULs: refuse instead of copying them on.
        if let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex(where: { $0.contains("\0") }) {
            throw PairsFileError.nulBytes(path: url.path, line: line + 1)
        }
        guard !text.allSatisfy(\.isWhitespace) else { throw PairsFileError.empty(path: url.path) }
        return text
    }

    /// LFW lists start with a count line (`300` or `10 300`) followed by 3- or 4-token rows.
    static func looksLikeLFW(_ text: String) -> Bool {
        let lines = text.split(whereSeparator: \.isNewline).prefix(2).map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }) }
        guard lines.count == 2, (1...2).contains(lines[0].count), lines[0].allSatisfy({ Int($0) != nil }) else { return false }
        let row = lines[1]
        return (row.count == 3 && Int(row[1]) != nil && Int(row[2]) != nil) || (row.count == 4 && Int(row[1]) != nil && Int(row[3]) != nil)
    }

    static func parseCSV(_ text: String, url: URL, root: URL) throws -> PairsFile {
        if let line = unterminatedQuoteLine(text) { throw PairsFileError.unterminatedQuote(path: url.path, line: line) }
        let reader: CSVReader
        do { reader = try CSVReader(string: text) } catch { throw PairsFileError.unreadable(path: url.path, reason: "\(error)") }
        var header: [String]?
        var rows: [PairRow] = []
        var first = true
        while let fields = reader.next() {
            if fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty { continue }   // blank line
            if first {
                first = false
                if fields.contains(where: { headerNames.contains($0.trimmingCharacters(in: .whitespaces).lowercased()) }) {
                    header = fields
                    continue
                }
            }
            rows.append(row(number: rows.count + 1, fields: fields, root: root))
        }
        if let error = reader.error { throw PairsFileError.unreadable(path: url.path, reason: "\(error)") }
        guard !rows.isEmpty else { throw PairsFileError.empty(path: url.path) }
        return PairsFile(url: url, format: .csv, header: header, rows: rows)
    }

    private static func row(number: Int, fields: [String], root: URL) -> PairRow {
        let a = fields.first?.trimmingCharacters(in: .whitespaces) ?? ""
        let b = fields.count > 1 ? fields[1].trimmingCharacters(in: .whitespaces) : ""
        guard fields.count >= 2, !a.isEmpty, !b.isEmpty else {
            return PairRow(number: number, fields: fields, a: nil, b: nil, label: nil,
                           problem: "row \(number): too few columns (need a,b[,label], found \(fields.count))")
        }
        var label: Bool?
        if fields.count >= 3, !fields[2].trimmingCharacters(in: .whitespaces).isEmpty {
            guard let l = Self.label(fields[2]) else {
                return PairRow(number: number, fields: fields, a: resolve(a, root), b: resolve(b, root), label: nil,
                               problem: "row \(number): label '\(fields[2])' is not 0 or 1")
            }
            label = l
        }
        return PairRow(number: number, fields: fields, a: resolve(a, root), b: resolve(b, root), label: label, problem: nil)
    }

    static func resolve(_ path: String, _ root: URL) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
    }

    /// The line where a quoted field opens and never closes (RFC 4180: `""` inside quotes is an escaped quote),
    /// or nil. CSV.swift reads such a field to the end of the file silently; this check makes it an error.
    static func unterminatedQuoteLine(_ text: String) -> Int? {
        var inQuotes = false, atFieldStart = true, line = 1, openedAt = 0
        var it = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let c = pending ?? it.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    let next = it.next()
                    if next == "\"" { continue }
                    inQuotes = false
                    atFieldStart = false
                    pending = next
                    continue
                }
                if c == "\n" { line += 1 }
            } else {
                switch c {
                case "\"" where atFieldStart: inQuotes = true; openedAt = line
                case ",": atFieldStart = true
                case "\n": line += 1; atFieldStart = true
                case "\r": break
                default: atFieldStart = false
                }
            }
        }
        return inQuotes ? openedAt : nil
    }
}
