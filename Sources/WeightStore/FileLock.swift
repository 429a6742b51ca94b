import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock for the writer of one file (a gallery's read-modify-write, the life of a `score`
/// output), so that a second writer waits or is refused instead of silently losing the first one's work.
/// Readers take no lock: every file is replaced atomically (`AtomicFile`), so a reader always sees a whole file.
///
/// Design: `flock(2)` on a hidden lock file beside the target, `folder/.NAME.lock` (the target itself cannot
/// carry the lock: the atomic rename replaces its inode, and it may not exist yet). The lock file is separate
/// from the target and from `AtomicFile`'s temporary file, so the rename is untouched. While held it contains the
/// holder's pid (for the "locked by pid N" message). `release` removes it while still holding the lock, so a
/// clean run leaves nothing behind; a killed run leaves an empty-lock file whose lock the kernel has already
/// dropped, which the next writer simply takes (and removes). A waiter that obtains the lock on a lock file that
/// was removed meanwhile (its inode is no longer at the path) starts over, so two writers never hold locks on
/// different inodes of the same path.
///
/// flock locks belong to the open file description: two `FileLock`s on one target exclude each other even in
/// one process. Not for network file systems without flock support.
public final class FileLock: @unchecked Sendable {
    /// The file this lock protects.
    public let target: URL
    /// The lock file, `folder/.NAME.lock`.
    public let lockFile: URL
    private var fd: Int32

    /// The lock file of `target`: `.NAME.lock` in the same folder.
    public static func lockURL(for target: URL) -> URL {
        target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).lock")
    }

    /// Takes the lock of `target`, waiting up to `wait` seconds (0: one attempt) for another holder to finish.
    /// `waiting` is called once (with the holder's pid when known) if the first attempt finds the lock held and
    /// `wait` > 0. Throws `FileLockError.locked` naming the target and the holder's pid when the time runs out,
    /// `.cannotLock` when the lock file cannot be created (e.g. the folder is missing or read-only).
    public static func acquire(for target: URL, wait: Double = 0,
                               waiting: ((Int32?) -> Void)? = nil) throws(FileLockError) -> FileLock {
        let path = lockURL(for: target)
        let deadline = Date().addingTimeInterval(max(0, wait))
        var announced = false
        while true {
            let fd = open(path.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw .cannotLock(path: target.path, reason: "cannot create \(path.lastPathComponent): \(String(cString: strerror(errno)))")
            }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                // The holder before us may have removed this inode from the path just before letting go.
                var held = stat(), current = stat()
                if fstat(fd, &held) == 0, stat(path.path, &current) == 0, held.st_ino == current.st_ino, held.st_dev == current.st_dev {
                    let pid = Array("\(getpid())\n".utf8)
                    _ = ftruncate(fd, 0)
                    _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
                    return FileLock(target: target, lockFile: path, fd: fd)
                }
                close(fd)
                continue
            }
            let reason = errno
            close(fd)
            guard reason == EWOULDBLOCK || reason == EINTR else {
                throw .cannotLock(path: target.path, reason: "flock on \(path.lastPathComponent): \(String(cString: strerror(reason)))")
            }
            let now = Date()
            if now >= deadline { throw .locked(path: target.path, pid: holder(of: path), waited: wait) }
            if !announced { announced = true; waiting?(holder(of: path)) }
            usleep(UInt32(min(0.05, deadline.timeIntervalSince(now)) * 1_000_000))
        }
    }

    private init(target: URL, lockFile: URL, fd: Int32) {
        self.target = target
        self.lockFile = lockFile
        self.fd = fd
    }

    /// Removes the lock file and lets go of the lock; later calls do nothing. Call it (e.g. in a `defer`) when
    /// the write is complete: Swift may end an unused object's life before the end of its scope.
    public func release() {
        guard fd >= 0 else { return }
        unlink(lockFile.path)
        close(fd)
        fd = -1
    }

    deinit { release() }

    /// Whether this object still holds the lock.
    public var isHeld: Bool { fd >= 0 }

    /// The pid recorded in the lock file at `path`, if readable.
    static func holder(of path: URL) -> Int32? {
        guard let data = FileManager.default.contents(atPath: path.path),
              let text = String(data: data, encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Why a `FileLock` could not be taken. One line naming the target file.
public enum FileLockError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Another writer holds the lock of `path` (pid when known); `waited` seconds were spent waiting.
    case locked(path: String, pid: Int32?, waited: Double)
    /// The lock file beside `path` could not be created or locked.
    case cannotLock(path: String, reason: String)

    public var description: String {
        switch self {
        case .locked(let p, let pid, let waited):
            let who = pid.map { "locked by pid \($0)" } ?? "locked by another process"
            let after = waited > 0 ? " (waited \(Self.seconds(waited)) s)" : ""
            return "\(p): \(who), another pairmatch is writing it\(after); retry when it is done or pass --wait SECONDS"
        case .cannotLock(let p, let r): return "\(p): cannot lock for writing (\(r))"
        }
    }

    private static func seconds(_ s: Double) -> String {
        s == s.rounded() ? String(Int(s)) : String(format: "%.1f", s)
    }
}
