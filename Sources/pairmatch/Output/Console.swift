import Foundation

/// Where the CLI writes: results to stdout, warnings and progress to stderr.
enum Console {
    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("pairmatch: warning: \(message)\n".utf8))
    }

    static func error(_ message: String) {
        FileHandle.standardError.write(Data("pairmatch: error: \(message)\n".utf8))
    }

    /// Flushes stdout so a line reaches pipes at once.
    static func flush() { _ = fflush(nil) }

    /// Whether stderr is a terminal (progress bars only then).
    static var stderrIsTerminal: Bool { isatty(2) != 0 }
}

/// A progress line on stderr with rate and ETA, redrawn at most 10 times a second; silent when stderr is not
/// a terminal.
final class ProgressBar: @unchecked Sendable {
    private let total: Int
    private let label: String
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var done = 0
    private let enabled: Bool
    private let lock = NSLock()

    init(total: Int, label: String, enabled: Bool = Console.stderrIsTerminal) {
        self.total = total
        self.label = label
        self.enabled = enabled && total > 0
    }

    func advance(by n: Int = 1) {
        lock.lock(); defer { lock.unlock() }
        done += n
        guard enabled, done == total || Date().timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = Date()
        let elapsed = Date().timeIntervalSince(start)
        let rate = Double(done) / max(elapsed, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let width = 30, filled = width * done / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        FileHandle.standardError.write(Data(String(format: "\r%@ %@ %d/%d  %.1f/s  ETA %.0fs ", label, bar, done, total, rate, eta).utf8))
    }

    /// A `(done, total)` progress callback that draws a bar labelled `label` and finishes it at `done == total`.
    static func callback(label: String) -> (Int, Int) -> Void {
        var bar: ProgressBar?
        return { done, total in
            if bar == nil { bar = ProgressBar(total: total, label: label) }
            bar!.advance()
            if done == total { bar!.finish() }
        }
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
