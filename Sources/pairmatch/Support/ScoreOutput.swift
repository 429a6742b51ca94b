import Foundation
import WeightStore

/// The output file of `pairmatch score`, written as `OUT.partial` beside OUT row by row (each row one
/// `write(2)` call, so a kill leaves whole rows plus at most one cut-off row) and renamed onto OUT when
/// complete. `--resume` reopens the partial file, keeps its complete rows and continues after them, so the
/// finished file is byte-identical to an uninterrupted run.
final class ScoreOutput {
    let destination: URL
    let partial: URL
    private let fd: Int32
    /// Data rows already present (from a resumed partial file).
    let resumedRows: Int

    /// Opens the partial file: fresh (header written) or, with `resume`, continued after its last complete row.
    init(destination: URL, header: String, resume: Bool) throws {
        self.destination = destination
        partial = destination.appendingPathExtension("partial")
        var kept = 0
        var keepBytes = 0
        if resume, let existing = FileManager.default.contents(atPath: partial.path) {
            let records = ScoreOutput.completeRecords(existing)
            guard let first = records.first, existing.prefix(first).elementsEqual(Data(header.utf8)) else {
                throw CommandFailure.badInput("\(partial.path): cannot resume: it was written for other input or options (delete it or run without --resume)")
            }
            kept = records.count - 1
            keepBytes = records.last!
        }
        let flags = O_WRONLY | O_CREAT | (resume && keepBytes > 0 ? 0 : O_TRUNC)
        fd = open(partial.path, flags, 0o644)
        guard fd >= 0 else {
            throw CommandFailure.badInput("\(partial.path): cannot write (\(String(cString: strerror(errno))))")
        }
        resumedRows = kept
        if keepBytes > 0 {
            guard ftruncate(fd, off_t(keepBytes)) == 0, lseek(fd, off_t(keepBytes), SEEK_SET) >= 0 else {
                close(fd)
                throw CommandFailure.badInput("\(partial.path): cannot resume (\(String(cString: strerror(errno))))")
            }
        } else {
            try write(header)
        }
    }

    deinit { close(fd) }

    /// Appends one record (which must end with a newline) in a single write.
    func write(_ record: String) throws {
        let bytes = Array(record.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw CommandFailure.badInput("\(partial.path): write failed (\(String(cString: strerror(errno))))") }
            offset += n
        }
    }

    /// fsyncs the partial file and renames it onto the destination.
    func finish() throws {
        guard fsync(fd) == 0, rename(partial.path, destination.path) == 0 else {
            throw CommandFailure.badInput("\(destination.path): cannot finish writing (\(String(cString: strerror(errno))))")
        }
    }

    /// Byte offsets just past each complete record (a newline outside quotes), in order.
    static func completeRecords(_ data: Data) -> [Int] {
        var ends: [Int] = []
        var inQuotes = false
        for (i, byte) in data.enumerated() {
            if byte == UInt8(ascii: "\"") { inQuotes.toggle() }
            else if byte == UInt8(ascii: "\n"), !inQuotes { ends.append(i + 1) }
        }
        return ends
    }
}

/// RFC 4180 output: a field is quoted when it holds a comma, quote, CR or LF; quotes are doubled.
enum CSVLine {
    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func record(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") + "\n" }
}
