import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one reader of input files (images, pairs files): bounded in time and memory before anything is parsed.
///
/// Contract, in order:
/// 1. The path (symbolic links followed) must name a regular file: a FIFO, a character or block device, a socket
///    or a folder is refused from `stat(2)` without opening it, so a FIFO with no writer cannot block and
///    `/dev/zero` cannot feed bytes without end. The file is then opened with `O_NONBLOCK` and checked again with
///    `fstat(2)` (same device and inode, still regular), so a swap between the two calls cannot slip one in.
/// 2. An empty file is refused.
/// 3. The first `min(signatureLength, size)` bytes are read and passed to `checkSignature`, which throws to
///    refuse the file before any more of it is read (a 3 GB non-image costs one small read).
/// 4. A file over `maxBytes` is refused before its body is read; a file that grows past `maxBytes` while being
///    read is refused when it crosses the limit. Memory: at most `min(size, maxBytes) + 1` bytes are held.
///
/// Thread safety: stateless; safe to call concurrently.
public enum BoundedFile {
    /// The default size limit: 256 MiB (268 435 456 bytes).
    public static let defaultMaxBytes = 256 << 20

    /// How many leading bytes `read` hands to the signature check by default (enough for every image signature
    /// `ImageFormat` knows).
    public static let defaultSignatureLength = 16

    /// Reads the whole regular file at `path` under the contract above.
    /// - Parameters:
    ///   - name: how errors name the file (e.g. the path the user gave).
    ///   - maxBytes: the largest accepted file size in bytes (≥ 1).
    ///   - signatureLength: how many leading bytes `checkSignature` sees (fewer when the file is shorter).
    ///   - checkSignature: throws to refuse the file from its first bytes; its error is rethrown unchanged.
    /// - Returns: the file's bytes, `[size]`.
    /// - Throws: `BoundedFileError` naming `name`, or whatever `checkSignature` throws.
    public static func read(path: String, name: String, maxBytes: Int = defaultMaxBytes,
                            signatureLength: Int = defaultSignatureLength,
                            checkSignature: (UnsafeRawBufferPointer) throws -> Void = { _ in }) throws -> [UInt8] {
        var st = stat()
        if stat(path, &st) != 0 { throw openError(errno, name: name) }
        if let kind = nonRegularKind(st.st_mode) {
            if kind == "folder" { throw BoundedFileError.isDirectory(file: name) }
            throw BoundedFileError.notRegularFile(file: name, kind: kind)
        }
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        if fd < 0 { throw openError(errno, name: name) }
        defer { close(fd) }
        var fst = stat()
        guard fstat(fd, &fst) == 0 else { throw BoundedFileError.unreadable(file: name, reason: String(cString: strerror(errno))) }
        if let kind = nonRegularKind(fst.st_mode) { throw BoundedFileError.notRegularFile(file: name, kind: kind) }
        guard fst.st_dev == st.st_dev, fst.st_ino == st.st_ino else {
            throw BoundedFileError.unreadable(file: name, reason: "the file was replaced while being opened")
        }
        let size = max(Int(fst.st_size), 0)
        if size == 0 { throw BoundedFileError.empty(file: name) }

        let headCount = min(max(signatureLength, 0), size, maxBytes + 1)
        var buffer = [UInt8](repeating: 0, count: headCount)   // [headCount], grown below to [min(size, maxBytes) + 1]
        var filled = try readFully(fd, into: &buffer, from: 0, name: name)
        if filled == 0 { throw BoundedFileError.empty(file: name) }
        try buffer.withUnsafeBytes { try checkSignature(UnsafeRawBufferPointer(rebasing: $0[0..<filled])) }
        if size > maxBytes { throw BoundedFileError.tooLarge(file: name, bytes: size, limit: maxBytes) }

        // The body: room for the stated size plus one byte, so growth since fstat is seen without a second pass.
        buffer.append(contentsOf: repeatElement(0, count: size + 1 - buffer.count))
        while true {
            let n = try readFully(fd, into: &buffer, from: filled, name: name)
            filled += n
            if filled < buffer.count { break }   // end of file before the buffer filled
            if filled > maxBytes { throw BoundedFileError.tooLarge(file: name, bytes: filled, limit: maxBytes) }
            buffer.append(contentsOf: repeatElement(0, count: min(max(buffer.count, 65536), maxBytes + 1 - buffer.count)))
        }
        buffer.removeSubrange(filled...)
        return buffer
    }

    /// What a file of mode `mode` is when it is not a regular file ("FIFO", "character device", …), else nil.
    public static func nonRegularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "folder"
        case S_IFIFO: return "FIFO"
        case S_IFCHR: return "character device"
        case S_IFBLK: return "block device"
        case S_IFSOCK: return "socket"
        case S_IFLNK: return "symbolic link"
        default: return "special file"
        }
    }

    /// Reads into `buffer[from...]` until it is full or the file ends; returns the bytes read.
    private static func readFully(_ fd: Int32, into buffer: inout [UInt8], from start: Int, name: String) throws -> Int {
        var offset = start
        while offset < buffer.count {
            let n = buffer.withUnsafeMutableBytes { b in Glibc.read(fd, b.baseAddress! + offset, b.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw BoundedFileError.unreadable(file: name, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            offset += n
        }
        return offset - start
    }

    private static func openError(_ e: Int32, name: String) -> BoundedFileError {
        if e == ENOENT || e == ENOTDIR { return .missingFile(file: name) }
        return .unreadable(file: name, reason: String(cString: strerror(e)))
    }
}

/// Why `BoundedFile.read` refused a file. Every case names the file; `description` is one line. Callers map these
/// onto their own error types (`ImageInputError`, `PairsFileError`) so messages keep their domain's wording.
public enum BoundedFileError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No file at the path.
    case missingFile(file: String)
    /// The path names a folder.
    case isDirectory(file: String)
    /// The path names a FIFO, a device, a socket or another special file (`kind`), refused without reading it.
    case notRegularFile(file: String, kind: String)
    /// The file cannot be opened or read (`reason`: the system's message).
    case unreadable(file: String, reason: String)
    /// The file holds zero bytes.
    case empty(file: String)
    /// The file holds more than `limit` bytes (`bytes`: its size, or the count read when it crossed the limit).
    case tooLarge(file: String, bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .missingFile(let f): return "\(f): no such file"
        case .isDirectory(let f): return "\(f): is a folder, not a file"
        case .notRegularFile(let f, let k): return "\(f): is a \(k), not a regular file"
        case .unreadable(let f, let r): return "\(f): cannot read file (\(r))"
        case .empty(let f): return "\(f): empty file"
        case .tooLarge(let f, let b, let l): return "\(f): file too large (\(b) bytes, limit \(l) bytes)"
        }
    }
}
