import FaceAnalysis
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Workflows

/// The parts of `bench serve`: the in-process baseline, the wrk scripts, the server child process, wrk's figures.
enum ServeLoad {
    /// This binary (to start `pairmatch serve` as a child).
    static var selfExecutable: String { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0] }

    /// The first `name` on PATH.
    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// Resident memory of process `pid` in MiB (VmRSS), 0 when unreadable.
    static func rssMiB(_ pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }

    /// Compare pairs/s and identify images/s of the workflows in this process on `threads` cores (each worker
    /// repeating the request, as the server's workers do), and the enrolment of A's person into `gallery`.
    static func baseline(a: String, b: String, models: LoadedModels, threads: Int, gallery: String,
                         seconds: Int) throws -> (compare: Double, identify: Double) {
        let settings = FaceSettings()
        let encoder = models.encoder!
        let live: LiveGallery
        do {
            live = try LiveGallery.open(gallery, encoderFingerprint: encoder.fingerprint, dimension: encoder.embeddingDimension)
            _ = try EnrolWorkflow.enroll(name: "A", images: [.file(a)], metadata: nil, into: live, models: models, settings: settings)
        } catch { throw CommandFailure(error) }
        let photoA = try Data(contentsOf: URL(fileURLWithPath: a)), photoB = try Data(contentsOf: URL(fileURLWithPath: b))
        func rate(_ work: @escaping @Sendable () throws -> Void) throws -> Double {
            try work()   // warm-up, and the first error surfaces here
            let deadline = Date().addingTimeInterval(Double(seconds))
            let done = Locked(0)
            let t0 = Date()
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                while Date() < deadline { try? work(); done.update { $0 += 1 } }
            }
            return Double(done.value) / Date().timeIntervalSince(t0)
        }
        let compare = try rate {
            _ = try CompareWorkflow.compare(.upload(field: "a", name: nil, bytes: photoA), .upload(field: "b", name: nil, bytes: photoB),
                                            models: models, settings: settings)
        }
        let identify = try rate {
            _ = try live.read { g throws(WorkflowError) in
                try IdentifyWorkflow.identify(.upload(field: "image", name: nil, bytes: photoB), topK: 3, gallery: g, models: models, settings: settings)
            }
        }
        live.close()
        return (compare, identify)
    }

    /// wrk Lua scripts posting A and B as multipart/form-data (compare) and B alone (identify), counting statuses.
    static func writeScripts(to folder: URL, a: String, b: String) throws -> (compare: String, identify: String) {
        func lua(_ parts: [(String, String)]) -> String {
            let reads = parts.map { "part(\"\($0.0)\", \($0.0)_name, read(\"\(escape(absolute($0.1)))\"))" }.joined(separator: " .. ")
            return """
            local boundary = "pairmatchbenchboundary"
            local function read(p) local f = assert(io.open(p, "rb")); local d = f:read("*all"); f:close(); return d end
            local function part(name, filename, data)
              return "--" .. boundary .. "\\r\\nContent-Disposition: form-data; name=\\"" .. name .. "\\"; filename=\\"" .. filename ..
                "\\"\\r\\nContent-Type: image/jpeg\\r\\n\\r\\n" .. data .. "\\r\\n"
            end
            \(parts.map { "local \($0.0)_name = \"\($0.0).jpg\"" }.joined(separator: "\n"))
            wrk.method = "POST"
            wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
            wrk.body = \(reads) .. "--" .. boundary .. "--\\r\\n"
            local threads = {}
            function setup(thread) table.insert(threads, thread) end
            function init(args) statuses = {} end
            function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
            function done(summary, latency, requests)
              local total = {}
              for _, t in ipairs(threads) do
                local s = t:get("statuses")
                for k, v in pairs(s) do total[k] = (total[k] or 0) + v end
              end
              for k, v in pairs(total) do io.write(string.format("pm_status %d %d\\n", k, v)) end
              io.write(string.format("pm_latency %d %d\\n", latency:percentile(50), latency:percentile(99)))
              io.write(string.format("pm_summary %d %d\\n", summary.requests, summary.duration))
              io.write(string.format("pm_errors %d %d %d %d\\n", summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
            end

            """
        }
        let compare = folder.appendingPathComponent("compare.lua"), identify = folder.appendingPathComponent("identify.lua")
        try lua([("a", a), ("b", b)]).write(to: compare, atomically: true, encoding: .utf8)
        try lua([("image", b)]).write(to: identify, atomically: true, encoding: .utf8)
        return (compare.path, identify.path)
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    static func escape(_ s: String) -> String { s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") }

    /// One wrk run's figures.
    struct Figures {
        var rate = 0.0, p50 = 0.0, p99 = 0.0
        var statuses: [Int: Int] = [:]
        var timeouts = 0, socketErrors = 0
        var non2xx: Int { statuses.filter { !(200..<300).contains($0.key) }.values.reduce(0, +) }
    }

    /// Runs wrk (`connections` connections over min(connections, 2) threads, `seconds` long, 10 s timeout);
    /// `every10s` is called every 10 seconds while it runs.
    static func wrk(_ wrk: String, url: String, script: String, connections: Int, seconds: Int,
                    every10s: () -> Void = {}) throws -> Figures {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: wrk)
        p.arguments = ["-t", "\(min(connections, 2))", "-c", "\(connections)", "-d", "\(seconds)s", "--timeout", "10s", "-s", script, url]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.standardError
        try p.run()
        let collected = Locked(Data())
        let drain = DispatchQueue(label: "wrk-out")
        let done = DispatchSemaphore(value: 0)
        drain.async {
            let d = out.fileHandleForReading.readDataToEndOfFile()
            collected.update { $0 = d }
            done.signal()
        }
        while done.wait(timeout: .now() + 10) == .timedOut { every10s() }
        p.waitUntilExit()
        var f = Figures()
        for line in String(decoding: collected.value, as: UTF8.self).split(separator: "\n") {
            let w = line.split(separator: " ").map(String.init)
            switch w.first {
            case "pm_status": if w.count == 3, let s = Int(w[1]), let n = Int(w[2]) { f.statuses[s] = n }
            case "pm_latency": if w.count == 3 { f.p50 = (Double(w[1]) ?? 0) / 1000; f.p99 = (Double(w[2]) ?? 0) / 1000 }
            case "pm_summary": if w.count == 3, let n = Double(w[1]), let us = Double(w[2]), us > 0 { f.rate = n / (us / 1e6) }
            case "pm_errors":
                if w.count == 5 {
                    f.timeouts = Int(w[4]) ?? 0
                    f.socketErrors = (Int(w[1]) ?? 0) + (Int(w[2]) ?? 0) + (Int(w[3]) ?? 0)
                }
            default: break
            }
        }
        guard p.terminationStatus == 0 else { throw CommandFailure.badInput("wrk exited with status \(p.terminationStatus) against \(url)") }
        return f
    }

    /// A `pairmatch serve` child on a free loopback port.
    final class Server {
        let process: Process
        let url: String
        var pid: Int32 { process.processIdentifier }

        private init(process: Process, url: String) {
            self.process = process
            self.url = url
        }

        /// Starts `binary serve --port 0 arguments…` and waits (≤ 120 s) for its "listening on" line.
        static func start(binary: String, arguments: [String]) throws -> Server {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["serve", "--host", "127.0.0.1", "--port", "0"] + arguments
            let err = Pipe()
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            var text = ""
            let deadline = Date().addingTimeInterval(120)
            let handle = err.fileHandleForReading
            while Date() < deadline {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
                if let range = text.range(of: "pairmatch: listening on "), let end = text[range.upperBound...].firstIndex(of: "\n") {
                    let url = String(text[range.upperBound..<end]).trimmingCharacters(in: .whitespaces)
                    // Keep draining stderr so the server never blocks on a full pipe.
                    DispatchQueue.global().async { while !handle.availableData.isEmpty {} }
                    return Server(process: p, url: url)
                }
            }
            p.terminate()
            throw CommandFailure.badInput("pairmatch serve did not start: \(text.split(separator: "\n").last ?? "no output")")
        }

        /// Waits (≤ `timeout` s) until the server runs and queues nothing (its `/metrics` gauges are 0): requests a
        /// finished wrk run left behind would otherwise be the first requests of the next run.
        func waitUntilIdle(timeout: Double = 120) {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                let text = ServeLoad.get(url + "/metrics") ?? ""
                let busy = text.split(separator: "\n").filter {
                    $0.hasPrefix("pairmatch_inference_workers_busy ") || $0.hasPrefix("pairmatch_inference_queue_depth ")
                }.compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
                if busy.count == 2, busy.allSatisfy({ $0 == 0 }) { return }
                usleep(50_000)
            }
        }

        /// SIGTERM (graceful shutdown), then wait.
        func stop() {
            guard process.isRunning else { return }
            process.terminate()
            process.waitUntilExit()
        }
    }
}

extension ServeLoad {
    /// The body of GET `url` as text, nil on any failure (10 s at most).
    static func get(_ url: String) -> String? {
        guard let u = URL(string: url) else { return nil }
        let result = Locked<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: u) { data, _, _ in
            result.update { $0 = data.map { String(decoding: $0, as: UTF8.self) } }
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 10)
        return result.value
    }
}

/// A value shared between threads under a lock.
final class Locked<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()
    init(_ value: Value) { stored = value }
    var value: Value { lock.lock(); defer { lock.unlock() }; return stored }
    func update(_ change: (inout Value) -> Void) { lock.lock(); change(&stored); lock.unlock() }
}
