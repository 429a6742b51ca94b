import Foundation

/// nginx (Debian's package) as the load balancer of `bench cluster`: a configuration in a temporary folder (pid file,
/// logs and temporary files inside it), `nginx -g 'daemon off;'` as a child process on `port` of 127.0.0.1, round robin
/// over the upstreams with nginx's defaults (a request whose upstream connection fails goes to the next one; a POST
/// already sent is never sent twice). The configuration is the one the README's deployment section shows.
final class NginxBalancer {
    let port: Int
    let folder: URL
    private let process: Process

    var url: String { "http://127.0.0.1:\(port)" }

    /// nginx on PATH, else Debian's /usr/sbin/nginx.
    static var binary: String? {
        ServeLoad.which("nginx") ?? (FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") ? "/usr/sbin/nginx" : nil)
    }

    /// Starts nginx on `port` in front of `upstreams` ("127.0.0.1:PORT" each) and waits (≤ 10 s) until it accepts.
    init(binary: String, port: Int, upstreams: [String], folder: URL) throws {
        self.port = port
        self.folder = folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let p = folder.path
        let user = getuid() == 0 ? "user root;\n" : ""   // as root the workers would run as nobody, who cannot write here
        let configuration = """
            \(user)worker_processes 1;
            pid \(p)/nginx.pid;
            error_log \(p)/error.log warn;
            events { worker_connections 1024; }
            http {
              access_log off;
              client_body_temp_path \(p)/body;
              proxy_temp_path \(p)/proxy;
              fastcgi_temp_path \(p)/fastcgi;
              uwsgi_temp_path \(p)/uwsgi;
              scgi_temp_path \(p)/scgi;
              client_max_body_size 32m;
              upstream pairmatch {
            \(upstreams.map { "    server \($0) max_fails=1 fail_timeout=2s;" }.joined(separator: "\n"))
                keepalive 32;
              }
              server {
                listen 127.0.0.1:\(port);
                location / {
                  proxy_pass http://pairmatch;
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_read_timeout 120s;
                }
              }
            }

            """
        let file = folder.appendingPathComponent("nginx.conf")
        try configuration.write(to: file, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-p", p, "-c", file.path, "-g", "daemon off;"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, process.isRunning {
            if ServeLoad.get(url + "/healthz") != nil { return }
            usleep(50_000)
        }
        let log = (try? String(contentsOf: folder.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
        stop()
        throw CommandFailure.badInput("nginx did not start: \(log.split(separator: "\n").suffix(2).joined(separator: " | "))")
    }

    /// SIGQUIT (graceful), then wait.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGQUIT)
        process.waitUntilExit()
    }
}
