import Foundation

/// Store-level failures of a `GalleryStore`, one line each, naming the location the user gave.
///
/// Not listed here (thrown unchanged, they name the location too): `GalleryError.encoderMismatch`,
/// `.dimensionMismatch` and, for the HDF5 store, the errors the HDF5 gallery file has always thrown
/// (`WeightStoreError` for file-level problems, `GalleryError.corrupt`, `FileLockError` when another writer holds
/// the lock past `lockWait`), so the CLI prints what it printed before the store existed.
public enum GalleryStoreError: Error, CustomStringConvertible, Equatable, Sendable {
    /// There is no gallery at `location` yet (nothing enrolled).
    case missing(location: String)
    /// `importAll` into a store that already holds `identities` people.
    case notEmpty(location: String, identities: Int)
    /// The store is a gallery but its content is damaged or inconsistent (`reason` says which row / entry).
    case corrupt(location: String, reason: String)
    /// The file or database at `location` is not a pairmatch gallery (not SQLite, or another application's database).
    case notAGallery(location: String, reason: String)
    /// The gallery was written by a newer pairmatch (format `found`; this one reads up to `supported`).
    case unsupportedFormat(location: String, found: Int, supported: Int)
    /// Another process kept the database locked for longer than the busy timeout (`waited` seconds).
    case busy(location: String, waited: Double)
    /// The location text itself is unusable (empty path, `sqlite:` without a path, a bad wait time).
    case invalidLocation(location: String, reason: String)
    /// The database server cannot be used: unreachable (refused, no answer within the connect timeout), no such
    /// database, login refused (PostgreSQL).
    case unavailable(location: String, reason: String)
    /// Any other database failure (I/O error, disk full, read-only folder, cannot open): SQLite's or the server's message.
    case database(location: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let l):
            return "\(l): no such gallery; create it with 'pairmatch enroll --gallery \(l) --name NAME PHOTO'"
        case .notEmpty(let l, let k): return "\(l): gallery already holds \(k) \(k == 1 ? "person" : "people"); copy only into a new or empty gallery"
        case .corrupt(let l, let r): return "\(l): damaged gallery (\(Self.oneLine(r)))"
        case .notAGallery(let l, let r): return "\(l): not a pairmatch gallery (\(Self.oneLine(r)))"
        case .unsupportedFormat(let l, let f, let s):
            return "\(l): gallery format \(f) is newer than this pairmatch reads (up to \(s)); upgrade pairmatch"
        case .busy(let l, let w):
            return "\(l): locked by another process writing it (waited \(Self.seconds(w)) s); retry when it is done or pass --wait SECONDS"
        case .invalidLocation(let l, let r): return "\(l.isEmpty ? "\"\"" : l): invalid gallery location (\(Self.oneLine(r)))"
        case .unavailable(let l, let r): return "\(l): cannot use the gallery database (\(Self.oneLine(r)))"
        case .database(let l, let r): return "\(l): gallery database error (\(Self.oneLine(r)))"
        }
    }

    /// `s` with line breaks replaced by spaces, so every message stays on one line.
    static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    private static func seconds(_ s: Double) -> String {
        s == s.rounded() ? String(Int(s)) : String(format: "%.1f", s)
    }
}
