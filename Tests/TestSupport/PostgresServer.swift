import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throw-away PostgreSQL cluster for tests: `initdb` into a new temporary folder, `pg_ctl start` on a free port of
/// 127.0.0.1 (and a socket folder inside the temporary folder), `stop()` runs `pg_ctl stop -m fast` and removes the
/// folder. When the tests run as root, every server command runs as the `postgres` user (`runuser -u postgres --`) and
/// the folder belongs to that user.
///
/// Logins: over TCP with a password (SCRAM) for the superuser `postgres`, whose random password is `password`; over
/// the socket without one (trust), which is how `psql` here creates databases. A watchdog process stops the cluster
/// and removes the folder if the test process dies without calling `stop()` (a crash, a kill).
public final class PostgresServer: @unchecked Sendable {
    /// Debian 12's PostgreSQL 15 (package postgresql-15).
    public static let binaries = URL(fileURLWithPath: "/usr/lib/postgresql/15/bin")
    /// The superuser, who logs in over TCP with `password`.
    public let user = "postgres"
    public let password: String
    public let port: Int
    /// The temporary folder holding the data folder, the socket and the log.
    public let folder: URL
    private let asPostgresUser: Bool
    private var watchdog: Process?
    private let lock = NSLock()
    private var created: Set<String> = []
    private var stopped = false

    /// Why a cluster could not be had.
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    private init(folder: URL, port: Int, password: String, asPostgresUser: Bool) {
        self.folder = folder
        self.port = port
        self.password = password
        self.asPostgresUser = asPostgresUser
    }

    /// Starts a new cluster (a few seconds), or throws `Unavailable` saying why not (no binaries, initdb or start failed).
    public static func start() throws -> PostgresServer {
        for tool in ["initdb", "pg_ctl", "psql"] {
            let path = binaries.appendingPathComponent(tool).path
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw Unavailable(description: "PostgreSQL's \(path) is missing (apt-get install postgresql)")
            }
        }
        let asPostgresUser = getuid() == 0
        let folder = TestPaths.temporaryDirectory("pairmatch-postgres")
        var password = ""
        for _ in 0..<24 { password.append("abcdefghijkmnopqrstuvwxyz23456789".randomElement()!) }
        do {
            try password.write(to: folder.appendingPathComponent("pwfile"), atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("socket"), withIntermediateDirectories: true)
            if asPostgresUser { try run("/bin/chown", ["-R", "postgres:postgres", folder.path]) }
            let data = folder.appendingPathComponent("data").path
            try run(binaries.appendingPathComponent("initdb").path,
                    ["-D", data, "-U", "postgres", "--pwfile", folder.appendingPathComponent("pwfile").path, "-E", "UTF8", "--no-locale",
                     "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"], asPostgresUser: asPostgresUser)
            var lastError: (any Error)?
            for _ in 0..<3 {   // a free port can be taken by someone else before the server binds it: try another
                let port = try freePort()
                let server = PostgresServer(folder: folder, port: port, password: password, asPostgresUser: asPostgresUser)
                do {
                    try server.startServer()
                    server.startWatchdog()
                    return server
                } catch {
                    lastError = error
                }
            }
            throw lastError!
        } catch {
            let log = (try? String(contentsOf: folder.appendingPathComponent("server.log"), encoding: .utf8))?
                .split(separator: "\n").suffix(3).joined(separator: " | ") ?? ""
            try? FileManager.default.removeItem(at: folder)
            throw Unavailable(description: "cannot start a PostgreSQL cluster: \(error)" + (log.isEmpty ? "" : " (log: \(log))"))
        }
    }

    /// `pg_ctl start` of the cluster on `port`, waiting until it accepts connections.
    private func startServer() throws {
        try Self.run(Self.binaries.appendingPathComponent("pg_ctl").path,
                     ["-D", folder.appendingPathComponent("data").path, "-l", folder.appendingPathComponent("server.log").path, "-w", "-t", "60",
                      "-o", "-c listen_addresses=127.0.0.1 -p \(port) -c unix_socket_directories=\(folder.appendingPathComponent("socket").path) -c max_connections=300 -c fsync=off",
                      "start"], asPostgresUser: asPostgresUser)
    }

    /// Stops the server (`pg_ctl stop -m fast`: open connections are cut) but keeps the cluster, for `resume`: the
    /// database "restarting" or "down" as its clients see it.
    public func pause() throws {
        try Self.run(Self.binaries.appendingPathComponent("pg_ctl").path,
                     ["-D", folder.appendingPathComponent("data").path, "-m", "fast", "-w", "-t", "30", "stop"], asPostgresUser: asPostgresUser)
    }

    /// Starts the server paused by `pause` again, on the same port.
    public func resume() throws { try startServer() }

    /// SIGSTOP to the server and every one of its backends: connections stay open but nothing answers (a frozen
    /// machine, a network dropping packets). `thaw` undoes it.
    public func freeze() throws { try signalAll(SIGSTOP) }

    /// SIGCONT to the processes `freeze` stopped.
    public func thaw() throws { try signalAll(SIGCONT) }

    /// `signal` to the postmaster (first line of `data/postmaster.pid`) and each of its children (from /proc).
    private func signalAll(_ signal: Int32) throws {
        let pidFile = folder.appendingPathComponent("data/postmaster.pid")
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8), let master = Int32(text.split(separator: "\n").first ?? "") else {
            throw Unavailable(description: "no postmaster.pid in \(folder.path)")
        }
        var pids = [master]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == master { pids.append(pid) }
        }
        for pid in pids { kill(pid, signal) }
    }

    /// Stops the cluster (`pg_ctl stop -m fast`) and removes its folder. Idempotent.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        try? thaw()
        _ = try? Self.run(Self.binaries.appendingPathComponent("pg_ctl").path,
                          ["-D", folder.appendingPathComponent("data").path, "-m", "fast", "-w", "-t", "30", "stop"], asPostgresUser: asPostgresUser)
        if let watchdog, watchdog.isRunning { kill(watchdog.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: folder)
    }

    deinit { stop() }

    /// `postgres://USER@127.0.0.1:PORT/DATABASE` (no password: the tests set PGPASSWORD).
    public func url(database: String, user: String? = nil) -> String {
        "postgres://\(user ?? self.user)@127.0.0.1:\(port)/\(database)"
    }

    /// Runs `sql` with psql as the superuser over the socket in `database`; returns its unaligned output.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        try Self.run(Self.binaries.appendingPathComponent("psql").path,
                     ["-h", folder.appendingPathComponent("socket").path, "-p", String(port), "-U", user, "-d", database,
                      "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t", "-c", sql])
    }

    /// Creates the database `name` (UTF8) unless this object created it already; returns its URL.
    @discardableResult
    public func database(_ name: String) throws -> String {
        lock.lock()
        let isNew = created.insert(name).inserted
        lock.unlock()
        if isNew { try psql("CREATE DATABASE \"\(name)\" ENCODING 'UTF8' TEMPLATE template0") }
        return url(database: name)
    }

    // MARK: - Processes

    /// A process that stops the cluster and removes the folder once this process is gone.
    private func startWatchdog() {
        let stop = (asPostgresUser ? "/usr/sbin/runuser -u postgres -- " : "")
            + "\(Self.binaries.appendingPathComponent("pg_ctl").path) -D '\(folder.appendingPathComponent("data").path)' -m immediate stop"
        let script = "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; \(stop) >/dev/null 2>&1; rm -rf '\(folder.path)'"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        if (try? process.run()) != nil { watchdog = process }
    }

    /// Runs `tool` with `arguments` (as the postgres user when asked) in `/`, and returns its standard output; throws
    /// its standard error when it exits non-zero.
    ///
    /// posix_spawn + waitpid, not Foundation's `Process`: `Process` on Linux takes a child's end only when every
    /// process that inherited its hidden socket has gone, and `pg_ctl start` leaves the server running with it.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], asPostgresUser: Bool = false) throws -> String {
        let command = (asPostgresUser ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []) + [tool] + arguments
        let argv = ["/bin/sh", "-c", "cd / && exec \"$@\"", "sh"] + command
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C"
        environment.removeValue(forKey: "PGPASSWORD")
        let envp = environment.map { "\($0.key)=\($0.value)" }
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("pairmatch-pg-run-\(UUID().uuidString)").path
        let outPath = base + ".out", errPath = base + ".err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var pid = pid_t()
        let spawned = withCStrings(argv) { cArgv in
            withCStrings(envp) { cEnvp in posix_spawn(&pid, "/bin/sh", &actions, nil, cArgv, cEnvp) }
        }
        guard spawned == 0 else { throw Unavailable(description: "cannot start \(tool): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw Unavailable(description: "waitpid for \(tool) failed: \(String(cString: strerror(errno)))") }
        }
        let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0, code = (status >> 8) & 0xff
        guard exited, code == 0 else {
            let errors = ((try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "").split(whereSeparator: \.isNewline).joined(separator: " ")
            let how = exited ? "exited \(code)" : "was killed by signal \(status & 0x7f)"
            throw Unavailable(description: "\((tool as NSString).lastPathComponent) \(how): \(errors)")
        }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `body` with `strings` as a NULL-terminated C array.
    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }

    /// A TCP port of 127.0.0.1 that nothing listens on now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Unavailable(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Unavailable(description: "bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw Unavailable(description: "getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
