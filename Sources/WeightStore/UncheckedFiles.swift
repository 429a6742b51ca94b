import Foundation

/// Files written before pairmatch wrote checksums (no root attribute `checksums`): `WeightArchive.read` still
/// reads them (non-finite values are refused all the same) and reports each such file here, once per path and
/// process, so the caller can say which command rewrites it.
///
/// The default handler writes one line to stderr:
/// `pairmatch: warning: PATH has no checksums (written by an older pairmatch; KIND); rewrite it to protect it`.
/// The CLI installs a handler that names the command for each kind. Thread-safe.
public enum UncheckedFiles {
    /// Receives the file's path and its `kind`.
    public typealias Handler = @Sendable (_ path: String, _ kind: String) -> Void

    /// Replaces the handler for all later reads.
    public static func setHandler(_ handler: @escaping Handler) {
        state.lock.lock(); defer { state.lock.unlock() }
        state.handler = handler
    }

    /// Calls the handler for `path` unless it was already reported.
    static func report(path: String, kind: String) {
        state.lock.lock()
        let first = state.reported.insert(path).inserted
        let handler = state.handler
        state.lock.unlock()
        if first { handler(path, kind) }
    }

    private final class State: @unchecked Sendable {   // guarded by `lock`
        let lock = NSLock()
        var reported = Set<String>()
        var handler: Handler = { path, kind in
            FileHandle.standardError.write(Data(
                "pairmatch: warning: \(path) has no checksums (written by an older pairmatch; \(kind)); rewrite it to protect it\n".utf8))
        }
    }
    private static let state = State()
}
