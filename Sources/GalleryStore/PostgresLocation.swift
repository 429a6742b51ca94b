import Foundation

/// Where a PostgreSQL gallery lives: `postgres://USER@HOST:PORT/DATABASE` (or `postgresql://…`), parsed from the
/// location text the user gave, with the password taken from the environment.
///
/// - The password is never part of the location: a URL that holds one (`postgres://user:secret@host/db`) is refused,
///   so it never appears on a command line, in a process list or in a log. It comes from `PGPASSWORD`, else from the
///   first line of the file named by `PAIRMATCH_PGPASSFILE`; with neither, none is sent (the server may not ask).
/// - `PORT` defaults to 5432; `HOST` is a name, an IPv4 address or a bracketed IPv6 address (`[::1]`); `USER` and
///   `DATABASE` are required and may be percent-encoded. Query parameters are refused: there is nothing to set.
/// - TLS is off: the store is meant for a server on the loopback interface or a trusted network (the password, when
///   there is one, travels as SCRAM or MD5 as the server asks, the gallery's rows in clear).
struct PostgresLocation: Sendable, Equatable {
    /// The URL schemes that make a location a PostgreSQL gallery.
    static let schemes = ["postgres", "postgresql"]
    /// The environment variable holding the password (libpq's name).
    static let passwordVariable = "PGPASSWORD"
    /// The environment variable naming a file whose first line is the password.
    static let passwordFileVariable = "PAIRMATCH_PGPASSFILE"

    var host: String
    var port: Int
    var user: String
    var database: String
    /// From the environment, never from the location text.
    var password: String?

    /// Whether `location` starts with `postgres://` or `postgresql://` (case-insensitively).
    static func isPostgres(_ location: String) -> Bool {
        let lower = location.lowercased()
        return schemes.contains { lower.hasPrefix($0 + "://") }
    }

    /// `location` without its password, if it has one (for messages about a refused location).
    static func redacted(_ location: String) -> String {
        guard var components = URLComponents(string: location), components.password != nil else { return location }
        components.password = nil
        return components.string ?? "\(components.scheme ?? "postgres")://…"
    }

    /// Parses `location` (see the type's comment); `environment` gives the password. Throws
    /// `GalleryStoreError.invalidLocation` naming the location without any password it contained.
    static func parse(_ location: String, environment: [String: String]) throws -> PostgresLocation {
        let shown = redacted(location)
        func invalid(_ reason: String) -> GalleryStoreError { .invalidLocation(location: shown, reason: reason) }
        let form = "expected postgres://USER@HOST:PORT/DATABASE"
        guard let components = URLComponents(string: location), let scheme = components.scheme?.lowercased(),
              schemes.contains(scheme) else { throw invalid("not a URL; \(form)") }
        if components.password != nil {
            throw invalid("the URL contains a password; remove it and put it in \(passwordVariable) (or a file named by \(passwordFileVariable)) so it never appears on a command line or in logs")
        }
        if components.query != nil || components.fragment != nil {
            throw invalid("query parameters and fragments are not supported; \(form)")
        }
        guard let user = components.user, !user.isEmpty else { throw invalid("no user name; \(form)") }
        guard var host = components.host, !host.isEmpty else { throw invalid("no host; \(form)") }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = components.port ?? 5432
        guard (1...65_535).contains(port) else { throw invalid("port \(port) is not between 1 and 65535") }
        var path = components.path
        if path.hasPrefix("/") { path.removeFirst() }
        guard !path.isEmpty else { throw invalid("no database name; \(form)") }
        guard !path.contains("/") else { throw invalid("the database name \"\(path)\" contains '/'; \(form)") }
        return PostgresLocation(host: host, port: port, user: user, database: path,
                                password: try password(environment: environment, location: shown))
    }

    /// `PGPASSWORD` when set and not empty, else the first line of the file named by `PAIRMATCH_PGPASSFILE`, else nil.
    static func password(environment: [String: String], location: String) throws -> String? {
        if let password = environment[passwordVariable], !password.isEmpty { return password }
        guard let file = environment[passwordFileVariable], !file.isEmpty else { return nil }
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw GalleryStoreError.invalidLocation(
                location: location, reason: "cannot read the password file \(file) named by \(passwordFileVariable)")
        }
        let line = text.split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.isEmpty ? nil : line
    }

    /// The two variables `parse` reads, from the process's environment as it is now (`getenv`).
    static func environment() -> [String: String] {
        var values = [String: String]()
        for name in [passwordVariable, passwordFileVariable] {
            if let value = getenv(name) { values[name] = String(cString: value) }
        }
        return values
    }

    /// `host:port` as people write it (IPv6 in brackets).
    var address: String { (host.contains(":") ? "[\(host)]" : host) + ":\(port)" }
}
