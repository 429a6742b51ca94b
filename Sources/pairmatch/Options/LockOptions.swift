import ArgumentParser
import Foundation
import WeightStore

/// `--wait SECONDS`: how long a writer waits for another pairmatch writing the same file (a gallery, a score
/// output) before giving up. Default 0: refuse at once.
struct LockOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Wait up to this many seconds for another pairmatch writing the same file (default 0: fail at once).",
                               valueName: "seconds"))
    var wait: Double = 0

    func validate() throws {
        guard wait.isFinite, wait >= 0, wait <= 86_400 else { throw ValidationError("--wait must be between 0 and 86400 seconds") }
    }

    /// The exclusive write lock of `target` (see `FileLock`), held until `release()`. Exit 2 with one line
    /// ("… locked by pid N …") when another writer holds it past `--wait`; a note on stderr when waiting starts.
    func lock(_ target: URL) throws -> FileLock {
        do {
            return try FileLock.acquire(for: target, wait: wait) { pid in
                Console.warn("\(target.path): locked by \(pid.map { "pid \($0)" } ?? "another process"); waiting up to \(wait) s")
            }
        } catch {
            throw CommandFailure.badInput(error)
        }
    }
}
