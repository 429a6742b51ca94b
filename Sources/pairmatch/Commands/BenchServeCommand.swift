import ArgumentParser
import Foundation
import Workflows

/// `pairmatch bench serve`: `pairmatch serve` under load from wrk on loopback, beside the in-process throughput of
/// the same workflows on the same photos (the CLI's engine), measured in the same run.
struct BenchServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Load-test pairmatch serve with wrk (compare and identify at concurrency 1, 4, 16; overload; soak).",
        discussion: "Needs wrk on PATH (Debian package wrk; 'make bench-serve' installs it). Starts 'pairmatch serve' as a child process on a free loopback port with a temporary gallery holding photo A's person, runs wrk against /v1/compare (A and B) and /v1/identify (B) for --duration seconds at each concurrency, then an overload run against a server with a 4-job queue (answers must be 200 or 503, never timeouts), then a --soak seconds run on identify reading the server's RSS every 10 s. Baseline: the same workflows in this process on all cores."
    )

    @Option(help: ArgumentHelp("Seconds per wrk run.", valueName: "s")) var duration = 30
    @Option(help: ArgumentHelp("Seconds of the soak run (0: none).", valueName: "s")) var soak = 120
    @Option(name: .customLong("a"), help: ArgumentHelp("Photo A (enrolled; first photo of compare).", valueName: "photo"))
    var photoA = "Data/samples/obama.jpg"
    @Option(name: .customLong("b"), help: ArgumentHelp("Photo B (second photo of compare; the identify query).", valueName: "photo"))
    var photoB = "Data/samples/obama2.jpg"
    @Option(help: ArgumentHelp("Concurrency levels, comma-separated.", valueName: "list")) var concurrency = "1,4,16"
    @OptionGroup var models: ModelOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if duration < 1 { throw ValidationError("--duration must be at least 1 second") }
        if soak < 0 { throw ValidationError("--soak must not be negative") }
        if levels.isEmpty { throw ValidationError("--concurrency must list positive integers, e.g. 1,4,16") }
    }

    var levels: [Int] { concurrency.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 > 0 } }

    func run() throws {
        guard let wrk = ServeLoad.which("wrk") else {
            throw CommandFailure.badInput("wrk: not found on PATH; install Debian's wrk package ('make bench-serve' does)")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pairmatch-bench-serve-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        // Baseline: the workflows in this process, all cores, on the same photos.
        let loaded = try models.load(face: FaceOptions.parse([]), head: HeadOptions.parse([]))   // the defaults every command has
        let threads = runtime.resolvedThreads
        let gallery = folder.appendingPathComponent("people.db").path
        let base = try ServeLoad.baseline(a: photoA, b: photoB, models: loaded, threads: threads, gallery: gallery, seconds: min(duration, 20))
        print(String(format: "in-process (%d threads): compare %.1f pairs/s, identify %.1f images/s", threads, base.compare, base.identify))

        let scripts = try ServeLoad.writeScripts(to: folder, a: photoA, b: photoB)
        let server = try ServeLoad.Server.start(binary: ServeLoad.selfExecutable, arguments: ["--gallery", gallery] + modelArguments)
        defer { server.stop() }
        print("server pid \(server.pid) at \(server.url); RSS \(ServeLoad.rssMiB(server.pid)) MiB after start")
        print("route     conc  req/s    p50 ms   p99 ms   non-2xx  timeouts  vs in-process")
        for (route, script, rate) in [("compare", scripts.compare, base.compare), ("identify", scripts.identify, base.identify)] {
            for c in levels {
                server.waitUntilIdle()   // the previous run's leftover requests are not this run's
                let r = try ServeLoad.wrk(wrk, url: server.url + "/v1/" + route, script: script, connections: c, seconds: duration)
                print(String(format: "%-9@ %4d  %6.1f  %7.1f  %7.1f  %7d  %8d  %5.0f%%", route as NSString, c, r.rate, r.p50, r.p99,
                             r.non2xx, r.timeouts, 100 * r.rate / rate))
            }
        }
        print("RSS \(ServeLoad.rssMiB(server.pid)) MiB after the runs")

        // Overload: a server with a 4-job queue at 8× the workers: every answer is 200 or 503, none times out.
        let small = try ServeLoad.Server.start(binary: ServeLoad.selfExecutable,
                                               arguments: ["--gallery", gallery, "--queue", "4"] + modelArguments)
        let over = try ServeLoad.wrk(wrk, url: small.url + "/v1/compare", script: scripts.compare, connections: 32, seconds: min(duration, 15))
        small.stop()
        let statuses = over.statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        print(String(format: "overload (queue 4, 32 connections): %.1f req/s, statuses {%@}, timeouts %d, socket errors %d",
                     over.rate, statuses, over.timeouts, over.socketErrors))

        guard soak > 0 else { return }
        server.waitUntilIdle()
        var samples: [Int] = [ServeLoad.rssMiB(server.pid)]
        let soakRun = try ServeLoad.wrk(wrk, url: server.url + "/v1/identify", script: scripts.identify, connections: 4, seconds: soak) {
            samples.append(ServeLoad.rssMiB(server.pid))
        }
        samples.append(ServeLoad.rssMiB(server.pid))
        print(String(format: "soak %d s identify at 4: %.1f req/s, non-2xx %d; RSS MiB every 10 s: %@ (growth %d MiB)", soak, soakRun.rate,
                     soakRun.non2xx, samples.map(String.init).joined(separator: " "), samples.last! - samples.first!))
    }

    private var modelArguments: [String] { models.folder.map { ["--models", $0] } ?? [] }
}
