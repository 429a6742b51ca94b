import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// nginx (Debian's package) as a load balancer in front of several HTTP servers of a test: a configuration written
/// into a new temporary folder (pid file, logs and temporary files inside it), `nginx -g 'daemon off;'` as a child
/// process on a free port of 127.0.0.1, round robin over `upstreams`. `stop()` ends it and removes the folder.
///
/// nginx's defaults for a balancer are kept: a request whose connection to an upstream fails (refused, reset before
/// the request was sent) goes to the next upstream; a POST already sent is never sent again (so an instance killed
/// mid-request answers the client 502 rather than enrolling twice).
public final class NginxBalancer: @unchecked Sendable {
    /// Debian's nginx.
    public static let binary = "/usr/sbin/nginx"
    public let port: Int
    public let folder: URL
    private let process: Process

    /// `http://127.0.0.1:PORT`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Starts nginx balancing over `upstreams` ("127.0.0.1:PORT" each) and waits (≤ 10 s) until it accepts
    /// connections; throws `PostgresServer.Unavailable` saying why it cannot (no binary, nginx failed).
    public init(upstreams: [String]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw PostgresServer.Unavailable(description: "\(Self.binary) is missing (apt-get install nginx)")
        }
        folder = TestPaths.temporaryDirectory("pairmatch-nginx")
        port = try PostgresServer.freePort()
        let p = folder.path
        // As root, nginx's workers would switch to `nobody`, who cannot write this folder's temporary files.
        let user = getuid() == 0 ? "user root;\n" : ""
        let servers = upstreams.map { "    server \($0) max_fails=1 fail_timeout=2s;" }.joined(separator: "\n")
        let configuration = """
            \(user)worker_processes 1;
            pid \(p)/nginx.pid;
            error_log \(p)/error.log warn;
            events { worker_connections 512; }
            http {
              access_log off;
              client_body_temp_path \(p)/body;
              proxy_temp_path \(p)/proxy;
              fastcgi_temp_path \(p)/fastcgi;
              uwsgi_temp_path \(p)/uwsgi;
              scgi_temp_path \(p)/scgi;
              client_max_body_size 32m;
              upstream pairmatch {
            \(servers)
              }
              server {
                listen 127.0.0.1:\(port);
                location / {
                  proxy_pass http://pairmatch;
                  proxy_read_timeout 120s;
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                }
              }
            }

            """
        let file = folder.appendingPathComponent("nginx.conf")
        try configuration.write(to: file, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["-p", p, "-c", file.path, "-g", "daemon off;"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        startWatchdog()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if !process.isRunning { break }
            if Self.accepts(port: port) { return }
            usleep(20_000)
        }
        let log = (try? String(contentsOf: folder.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
        stop()
        throw PostgresServer.Unavailable(description: "nginx did not start: \(log.split(separator: "\n").suffix(3).joined(separator: " | "))")
    }

    /// Ends nginx (SIGQUIT, then SIGKILL after 5 s) and removes the folder. Idempotent.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGQUIT)
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        try? FileManager.default.removeItem(at: folder)
    }

    deinit { stop() }

    /// A process that ends nginx and removes the folder once this process is gone (a crash, a kill).
    private func startWatchdog() {
        let script = "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; kill -QUIT \(process.processIdentifier) 2>/dev/null; sleep 2; rm -rf '\(folder.path)'"
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/bin/sh")
        watchdog.arguments = ["-c", script]
        watchdog.standardInput = FileHandle.nullDevice
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        try? watchdog.run()
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
