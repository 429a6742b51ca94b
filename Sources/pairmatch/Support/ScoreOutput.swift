import Foundation
import WeightStore

/// The output file of `pairmatch score`, written as `OUT.partial` beside OUT row by row (each row one
/// `write(2)` call, so a kill leaves whole rows plus at most one cut-off row) and renamed onto OUT when
/// complete. `--resume` reopens the partial file, keeps its complete rows and continues after them, so the
/// finished file is byte-identical to an uninterrupted run.
///
/// Verified resume: a fresh partial file gets a sidecar, `OUT.partial.fingerprint` (`ScoreFingerprint`: what
/// decides the rows), written before the first row and removed once OUT is in place; the finished file carries
/// nothing of it. `--resume` continues only a partial file whose sidecar matches this run, whose header is this
/// run's, that has no more rows than the input and whose every kept row starts with the input row it answers;
/// anything else is refused (exit 2) naming what differs. The caller holds OUT's `FileLock` for the object's life.
final class ScoreOutput {
    let destination: URL
    let partial: URL
    /// `OUT.partial.fingerprint`.
    let fingerprintFile: URL
    private let fd: Int32
    /// Data rows already present (from a resumed partial file).
    let resumedRows: Int
    /// The result fields (probability, distance, same, error; CSV-unquoted) of each resumed row, in order.
    let resumedResults: [[String]]

    /// Opens the partial file: fresh (fingerprint sidecar, then header written) or, with `resume` and an
    /// existing partial file, continued after its last complete row once it is verified against `fingerprint`,
    /// `header` and the input: `inputRows` rows, row i's output starting with `rowPrefix(i)` (its input columns and a
    /// comma). Refusals are exit 2.
    init(destination: URL, header: String, resume: Bool, fingerprint: ScoreFingerprint, inputRows: Int,
         rowPrefix: (Int) -> String) throws {
        self.destination = destination
        let partial = destination.appendingPathExtension("partial"), fingerprintFile = partial.appendingPathExtension("fingerprint")
        self.partial = partial
        self.fingerprintFile = fingerprintFile
        var kept = 0
        var keepBytes = 0
        var results: [[String]] = []
        if resume, let existing = FileManager.default.contents(atPath: partial.path) {
            func refuse(_ why: String) -> CommandFailure {
                .badInput("\(partial.path): cannot resume: \(why); delete it or run without --resume")
            }
            guard let recordedText = try? String(contentsOf: fingerprintFile, encoding: .utf8) else {
                throw refuse("no \(fingerprintFile.lastPathComponent) beside it records which input and options it was written for")
            }
            guard let recorded = ScoreFingerprint.parse(recordedText) else { throw refuse("\(fingerprintFile.lastPathComponent) is damaged") }
            let changes = fingerprint.changes(since: recorded)
            guard changes.isEmpty else { throw refuse("it was written with other input or options: " + changes.joined(separator: ", ")) }
            let records = ScoreOutput.completeRecords(existing)
            guard let first = records.first, existing.prefix(first).elementsEqual(Data(header.utf8)) else {
                throw refuse("its header is not this run's (other input or options)")
            }
            kept = records.count - 1
            guard kept <= inputRows else { throw refuse("it has \(kept) rows, more than the \(inputRows) rows of the input") }
            for i in 0..<kept {
                let record = existing[records[i]..<records[i + 1]]
                let prefix = Data(rowPrefix(i).utf8)
                guard record.count > prefix.count, record.starts(with: prefix) else {
                    throw refuse("row \(i + 1) does not answer input row \(i + 1)")
                }
                guard let fields = ScoreOutput.resultFields(record.dropFirst(prefix.count)) else {
                    throw refuse("row \(i + 1) has no probability,distance,same,error columns")
                }
                results.append(fields)
            }
            keepBytes = records.last!
        }
        if keepBytes == 0 {
            do { try AtomicFile.write(Data(fingerprint.text.utf8), to: fingerprintFile) } catch {
                throw CommandFailure.badInput("\(fingerprintFile.path): cannot write (\(error))")
            }
        }
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (keepBytes > 0 ? 0 : O_TRUNC)
        fd = open(partial.path, flags, 0o644)
        guard fd >= 0 else {
            throw CommandFailure.badInput("\(partial.path): cannot write (\(String(cString: strerror(errno))))")
        }
        resumedRows = kept
        resumedResults = results
        if keepBytes > 0 {
            guard ftruncate(fd, off_t(keepBytes)) == 0, lseek(fd, off_t(keepBytes), SEEK_SET) >= 0 else {
                close(fd)
                throw CommandFailure.badInput("\(partial.path): cannot resume (\(String(cString: strerror(errno))))")
            }
        } else {
            try write(header)
        }
    }

    /// The four result fields of a written row's tail `probability,distance,same,error\n` (the error field
    /// CSV-quoted when needed), or nil when it has not that form.
    static func resultFields(_ tail: Data) -> [String]? {
        guard tail.last == UInt8(ascii: "\n") else { return nil }
        let text = String(decoding: tail.dropLast(), as: UTF8.self)
        let parts = text.split(separator: ",", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4 else { return nil }
        var error = parts[3]
        if error.hasPrefix("\""), error.hasSuffix("\""), error.count >= 2 {
            error = String(error.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
        }
        return [parts[0], parts[1], parts[2], error]
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

    /// fsyncs the partial file, renames it onto the destination and removes the fingerprint sidecar.
    func finish() throws {
        guard fsync(fd) == 0, rename(partial.path, destination.path) == 0 else {
            throw CommandFailure.badInput("\(destination.path): cannot finish writing (\(String(cString: strerror(errno))))")
        }
        unlink(fingerprintFile.path)
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
