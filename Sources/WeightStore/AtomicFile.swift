import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Atomic replacement of a file: the new content is written to a temporary file in the same folder,
/// flushed to disk (fsync), then renamed over the destination, and the folder is fsynced. An error or a kill
/// at any point leaves the previous file (or no file) at the destination, never a half-written one.
public enum AtomicFile {
    /// Writes `data` to `url` atomically.
    public static func write(_ data: Data, to url: URL) throws {
        try replace(url) { tmp in
            do { try data.write(to: tmp) } catch {
                throw WeightStoreError.writeFailed(path: url.path, reason: "\(error.localizedDescription)")
            }
        }
    }

    /// Creates `tmp` (which must not exist) and writes `bytes` to it; errors (a full disk, a file-size limit)
    /// name `target`, the file the caller is replacing. Used inside `replace`'s writer.
    public static func writeBytes(_ bytes: UnsafeRawBufferPointer, to tmp: URL, naming target: URL) throws {
        func failure(_ what: String) -> WeightStoreError {
            .writeFailed(path: target.path, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create \(tmp.lastPathComponent)") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw failure("write failed after \(offset) of \(bytes.count) bytes") }
            offset += n
        }
    }

    /// Calls `writer` with a temporary path beside `url` to fill, then fsyncs and renames it onto `url` and fsyncs
    /// the folder (so the rename itself survives a crash). A destination that is not a regular file (a symbolic
    /// link, folder, device, FIFO or socket: see `OutputPath`) is never replaced: `.writeFailed`.
    /// The temporary file is removed when `writer` or any later step throws.
    public static func replace(_ url: URL, using writer: (URL) throws -> Void) throws {
        let folder = url.deletingLastPathComponent()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir), isDir.boolValue else {
            throw WeightStoreError.writeFailed(path: url.path, reason: "folder \(folder.path) does not exist")
        }
        let tmp = temporaryURL(for: url)
        do {
            try writer(tmp)
            try fsync(path: tmp.path, target: url)
            // Last line of defence behind `OutputPath`: never rename over a link, a folder, a device or a FIFO.
            if let problem = OutputPath.existingKindProblem(url.path) {
                throw WeightStoreError.writeFailed(path: url.path, reason: "\(problem.cause)")
            }
            if rename(tmp.path, url.path) != 0 {
                throw WeightStoreError.writeFailed(path: url.path, reason: String(cString: strerror(errno)))
            }
        } catch {
            unlink(tmp.path)
            throw error
        }
        try? fsync(path: folder.path, target: url)
    }

    /// `folder/.name.tmp-<random>`: hidden, in the destination's folder so the rename stays on one file system.
    public static func temporaryURL(for url: URL) -> URL {
        let token = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(token)")
    }

    private static func fsync(path: String, target: URL) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw WeightStoreError.writeFailed(path: target.path, reason: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        if Glibc.fsync(fd) != 0 {
            throw WeightStoreError.writeFailed(path: target.path, reason: "fsync failed: \(String(cString: strerror(errno)))")
        }
    }
}
