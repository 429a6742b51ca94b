import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The up-front check of every path pairmatch writes, run before any work so a bad output costs nothing and
/// replaces nothing. `AtomicFile` renames a temporary file over its destination, which would silently replace
/// whatever is there (a symbolic link by a regular file, `/dev/null` by a regular file as root, the input being
/// read); this check refuses such paths instead.
///
/// A file output is accepted when it does not exist yet (its folder must) or is a regular file that is none of
/// the command's inputs: not the same file (device and inode, so hard links count) and not the same resolved
/// path. Refused: a symbolic link (even to a regular file: the rename would replace the link, not its target), a
/// folder, a FIFO, a character or block device, a socket, and `-` unless the command streams to standard output.
/// A folder output (e.g. `embed --chips DIR`) is accepted when missing (the command creates it) or a folder,
/// directly or through a symbolic link; anything else at the path is refused.
///
/// The check is advisory against races (the path can change after it); `AtomicFile.replace` re-checks the
/// destination just before its rename.
public enum OutputPath {
    /// What a checked output path turned out to be.
    public enum Verdict: Equatable, Sendable {
        /// Standard output (`-`, accepted only with `allowStdout`).
        case standardOutput
        /// A file to create or replace, or a folder to create or write into.
        case path
    }

    /// Checks one output file against the rules above.
    /// - Parameters:
    ///   - path: the output as the user gave it (named in errors).
    ///   - inputs: every file the command reads (missing ones are compared by resolved path only).
    ///   - allowStdout: whether `-` means standard output for this command.
    /// - Throws: `OutputPathError` naming `path`.
    @discardableResult
    public static func checkFile(_ path: String, inputs: [String] = [], allowStdout: Bool = false) throws -> Verdict {
        if path == "-" {
            guard allowStdout else { throw OutputPathError.standardOutputNotSupported }
            return .standardOutput
        }
        if let problem = existingKindProblem(path) { throw problem }
        var st = stat()
        if lstat(path, &st) != 0 {
            let folder = parentFolder(of: path)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
                throw OutputPathError.missingFolder(path: path, folder: folder)
            }
        }
        for input in inputs where sameFile(path, input) { throw OutputPathError.isInput(path: path, input: input) }
        return .path
    }

    /// Checks an output folder: missing (to be created) or a folder, possibly through a symbolic link.
    /// - Throws: `OutputPathError.notAFolder` naming `path` and what is there instead.
    public static func checkFolder(_ path: String) throws {
        var lst = stat()
        guard lstat(path, &lst) == 0 else { return }
        var st = stat()
        if (lst.st_mode & S_IFMT) == S_IFLNK {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
            guard stat(path, &st) == 0 else { throw OutputPathError.notAFolder(path: path, what: "a dangling symbolic link (to \(target))") }
            if (st.st_mode & S_IFMT) != S_IFDIR {
                throw OutputPathError.notAFolder(path: path, what: "a symbolic link to \(kindName(st.st_mode)) (\(target))")
            }
            return
        }
        if (lst.st_mode & S_IFMT) != S_IFDIR { throw OutputPathError.notAFolder(path: path, what: kindName(lst.st_mode)) }
    }

    /// Refuses two outputs of one command that name the same file (`-` excepted).
    /// - Throws: `OutputPathError.duplicate` naming the second of the pair.
    public static func checkDistinct(_ outputs: [String]) throws {
        let files = outputs.filter { $0 != "-" }
        for (i, a) in files.enumerated() {
            for b in files[..<i] where sameFile(a, b) { throw OutputPathError.duplicate(path: a, other: b) }
        }
    }

    /// The problem with what already exists at `path` as the destination of a rename (nil: nothing there, or a
    /// regular file). Also used by `AtomicFile.replace` just before it renames.
    public static func existingKindProblem(_ path: String) -> OutputPathError? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFLNK:
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
            return .symbolicLink(path: path, target: target)
        case S_IFDIR: return .isFolder(path: path)
        default: return .special(path: path, kind: kindName(st.st_mode))
        }
    }

    /// Whether `a` and `b` are one file: the same device and inode (both existing, links followed), or the same
    /// resolved path (the folder's real path plus the name, for paths that do not exist yet).
    public static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        if stat(a, &sa) == 0, stat(b, &sb) == 0 { return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino }
        return resolved(a) == resolved(b)
    }

    /// `path` with symbolic links resolved: the whole path when it exists, else its folder's plus the last name.
    static func resolved(_ path: String) -> String {
        if let real = realPath(path) { return real }
        let url = URL(fileURLWithPath: path)
        let folder = realPath(parentFolder(of: path)) ?? url.deletingLastPathComponent().standardizedFileURL.path
        return (folder as NSString).appendingPathComponent(url.lastPathComponent)
    }

    private static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// The folder `path` lives in ("." for a bare name).
    static func parentFolder(of path: String) -> String {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return folder.isEmpty ? "." : folder
    }

    /// "a character device", "a FIFO", … for messages.
    static func kindName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: return "a regular file"
        case S_IFDIR: return "a folder"
        case S_IFLNK: return "a symbolic link"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }
}

/// Why an output path is refused. One line naming the path; the CLI reports it with exit 2 before any work.
public enum OutputPathError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `-` given to an output that cannot stream to standard output.
    case standardOutputNotSupported
    /// The path is a symbolic link (to `target`); the rename would replace the link.
    case symbolicLink(path: String, target: String)
    /// The path is a folder where a file is expected.
    case isFolder(path: String)
    /// The path is a FIFO, a device or a socket (`kind`, e.g. "a character device").
    case special(path: String, kind: String)
    /// The output's folder does not exist.
    case missingFolder(path: String, folder: String)
    /// The output is one of the command's inputs.
    case isInput(path: String, input: String)
    /// Two outputs of the command name one file.
    case duplicate(path: String, other: String)
    /// A folder is expected at the path but `what` is there (e.g. "a regular file").
    case notAFolder(path: String, what: String)

    public var description: String {
        switch self {
        case .standardOutputNotSupported: return "-: " + cause
        case .symbolicLink(let p, _), .isFolder(let p), .special(let p, _), .missingFolder(let p, _), .isInput(let p, _),
             .duplicate(let p, _), .notAFolder(let p, _):
            return "\(p): " + cause
        }
    }

    /// The message without the leading path.
    public var cause: String {
        switch self {
        case .standardOutputNotSupported: return "this output cannot be standard output; name a file (./- for a file named '-')"
        case .symbolicLink(_, let t): return "output is a symbolic link (to \(t)); name the file itself, not a link"
        case .isFolder: return "output is a folder; name a file"
        case .special(_, let k): return "output is \(k), not a regular file; refusing to replace it"
        case .missingFolder(_, let f): return "the output's folder \(f) does not exist"
        case .isInput(let p, let i): return p == i ? "output is also an input of this command; refusing to overwrite it"
                                                   : "output is the input \(i); refusing to overwrite it"
        case .duplicate(let p, let o): return p == o ? "given for two outputs of this command" : "names the same file as the output \(o)"
        case .notAFolder(_, let w): return "output folder is \(w), not a folder"
        }
    }
}
