import Foundation
import Workflows

/// The API keys a server accepts. A key is compared in constant time against every configured key, so the time of
/// a refusal says nothing about how much of a key was right, nor which key was close. Keys are never logged or printed
/// (`description` shows only how many there are).
public struct APIKeys: Sendable, CustomStringConvertible {
    /// The keys' UTF-8 bytes.
    private let keys: [[UInt8]]

    /// No key: a server without keys refuses every write.
    public init() { keys = [] }

    /// These keys (blank ones are dropped).
    public init(_ keys: [String]) { self.keys = keys.filter { !$0.isEmpty }.map { Array($0.utf8) } }

    /// The keys of a key file: one per line, surrounding whitespace trimmed, blank lines and lines starting with `#`
    /// ignored. A missing, unreadable or keyless file throws `.badInput` naming it.
    public static func load(file path: String) throws(WorkflowError) -> APIKeys {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw WorkflowError(.badInput, "\(path): cannot read the API key file (\(Self.reason(error)))", input: path)
        }
        let keys = Self.parse(text)
        guard !keys.isEmpty else {
            throw WorkflowError(.badInput, "\(path): the API key file holds no key (one key per line; blank lines and # comments are ignored)",
                                input: path)
        }
        return APIKeys(keys)
    }

    /// The keys of a key file's text (see `load(file:)`).
    static func parse(_ text: String) -> [String] {
        text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    /// No key is configured.
    public var isEmpty: Bool { keys.isEmpty }

    /// How many keys are configured.
    public var count: Int { keys.count }

    /// Whether `candidate` equals one of the keys. Every key is compared in full, whatever matches.
    public func accepts(_ candidate: String) -> Bool {
        let c = Array(candidate.utf8)
        var found: UInt8 = 0
        for key in keys { found |= Self.constantTimeEqual(key, c) ? 1 : 0 }
        return found == 1
    }

    /// `a == b` in time that depends only on the lengths, not on where the bytes differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt64(a.count ^ b.count)
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= UInt64(x ^ y)
        }
        return difference == 0
    }

    public var description: String { "\(keys.count) API key\(keys.count == 1 ? "" : "s")" }

    private static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSCocoaErrorDomain, ns.code == NSFileReadNoSuchFileError { return "no such file" }
        return ns.localizedDescription
    }
}
