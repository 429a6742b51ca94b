import ArgumentParser
import FaceAnalysis
import FaceEmbedding
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Gallery
import GalleryStore
import Workflows

/// `pairmatch bench cluster --gallery postgres://…`: a large PostgreSQL gallery shared by `pairmatch serve` instances
/// behind nginx: its import and load rates, enrolments per second (in the store alone, and over HTTP while two
/// instances serve identify load), and identify throughput with one instance and with two behind nginx, measured in
/// the same run.
struct BenchClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Benchmark a PostgreSQL gallery of N people shared by two pairmatch serve instances behind nginx.",
        discussion: "Needs wrk and nginx (Debian packages; 'make bench-cluster' installs them and starts a throw-away PostgreSQL). The database given by --gallery must be empty (it is filled with --people synthetic people plus photo A's person, about 0.6 KB each) or hold a gallery this command filled before (it is reused). Measures: the import (one transaction) and the load into memory (people/s); an instance's start (models + gallery); enrolments per second through the store alone; identify throughput (wrk, photo B, --connections) through nginx with one instance of 2 workers, then with two instances of 1 worker each, while this process enrols people through nginx and counts how many per second are acknowledged. The people it enrols are removed at the end."
    )

    @Option(help: ArgumentHelp("The PostgreSQL gallery: postgres://USER@HOST:PORT/DATABASE (password from PGPASSWORD or PAIRMATCH_PGPASSFILE).", valueName: "url"))
    var gallery: String
    @Option(help: ArgumentHelp("Synthetic people in the gallery.", valueName: "n")) var people = 1_000_000
    @Option(help: ArgumentHelp("Seconds per wrk run.", valueName: "s")) var duration = 20
    @Option(help: ArgumentHelp("wrk connections of the identify load.", valueName: "n")) var connections = 4
    @Option(name: .customLong("a"), help: ArgumentHelp("Photo A (its person is enrolled; the enrolments under load use it).", valueName: "photo"))
    var photoA = "Data/samples/obama.jpg"
    @Option(name: .customLong("b"), help: ArgumentHelp("Photo B (the identify query).", valueName: "photo"))
    var photoB = "Data/samples/obama2.jpg"
    @OptionGroup var models: ModelOptions

    func validate() throws {
        if GalleryStores.kind(of: gallery) != .postgres { throw ValidationError("--gallery must be a postgres:// URL (postgres://USER@HOST:PORT/DATABASE)") }
        if people < 1 || people > GalleryLimits.maxIdentities - 1 { throw ValidationError("--people must be from 1 to \(GalleryLimits.maxIdentities - 1)") }
        if duration < 1 { throw ValidationError("--duration must be at least 1 second") }
        if connections < 1 { throw ValidationError("--connections must be at least 1") }
    }

    /// The key the instances are started with (the enrolments carry it).
    static let key = "bench-cluster-key"

    func run() throws {
        guard let wrk = ServeLoad.which("wrk") else { throw CommandFailure.badInput("wrk: not found on PATH; install Debian's wrk package ('make bench-cluster' does)") }
        guard let nginx = NginxBalancer.binary else { throw CommandFailure.badInput("nginx: not found; install Debian's nginx package ('make bench-cluster' does)") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pairmatch-bench-cluster-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let keys = folder.appendingPathComponent("keys.txt")
        try Data("\(Self.key)\n".utf8).write(to: keys)

        let loaded = try models.load(face: FaceOptions.parse([]), head: HeadOptions.parse([]))
        let encoder = loaded.encoder!
        let store: any GalleryStore
        do { store = try GalleryStores.open(gallery, lockWait: 30) } catch { throw CommandFailure(WorkflowError.gallery(error)) }
        let shown = store.location   // a URL holding a password was refused by open

        // 1. Fill the database (or reuse what an earlier run filled), then time a whole load into memory.
        try fill(store, encoder: encoder, models: loaded)
        let t0 = Date()
        let copy: FaceGallery
        do { copy = try store.load(expectingEncoder: encoder.fingerprint, dimension: encoder.embeddingDimension) } catch {
            throw CommandFailure(WorkflowError.gallery(error))
        }
        let loadSeconds = Date().timeIntervalSince(t0)
        print(String(format: "load into memory: %d people, %d embeddings in %.1f s (%.0f people/s)", copy.count, copy.embeddingCount,
                     loadSeconds, Double(copy.count) / loadSeconds))

        // 2. Enrolments through the store alone (embeddings given: one transaction each, what the database sustains).
        let storeRate = try storeEnrolments(store, encoder: encoder, count: 200)
        print(String(format: "store enrolments (no image analysis, one transaction each): %.0f per second", storeRate))

        let scripts = try ServeLoad.writeScripts(to: folder, a: photoA, b: photoB)
        let arguments = ["--gallery", gallery, "--api-key-file", keys.path] + (models.folder.map { ["--models", $0] } ?? [])
        let balancerPort = try Self.freePort()

        // 3. One instance (2 workers) behind nginx.
        let started = Date()
        let single = try ServeLoad.Server.start(binary: ServeLoad.selfExecutable, arguments: arguments + ["--workers", "2"])
        print(String(format: "instance start (models + %d-person gallery): %.1f s, RSS %d MiB", copy.count, Date().timeIntervalSince(started),
                     ServeLoad.rssMiB(single.pid)))
        let one: ServeLoad.Figures
        do {
            defer { single.stop() }
            let balancer = try NginxBalancer(binary: nginx, port: balancerPort, upstreams: [Self.hostPort(single.url)],
                                             folder: folder.appendingPathComponent("nginx-1"))
            defer { balancer.stop() }
            one = try ServeLoad.wrk(wrk, url: balancer.url + "/v1/identify", script: scripts.identify, connections: connections, seconds: duration)
        }
        print(String(format: "identify, 1 instance × 2 workers behind nginx: %.1f req/s, p50 %.0f ms, p99 %.0f ms, non-2xx %d",
                     one.rate, one.p50, one.p99, one.non2xx))

        // 4. Two instances (1 worker each) behind nginx, with enrolments through nginx during the identify load.
        let a = try ServeLoad.Server.start(binary: ServeLoad.selfExecutable, arguments: arguments + ["--workers", "1"])
        defer { a.stop() }
        let b = try ServeLoad.Server.start(binary: ServeLoad.selfExecutable, arguments: arguments + ["--workers", "1"])
        defer { b.stop() }
        let balancer = try NginxBalancer(binary: nginx, port: balancerPort, upstreams: [Self.hostPort(a.url), Self.hostPort(b.url)],
                                         folder: folder.appendingPathComponent("nginx-2"))
        defer { balancer.stop() }
        let photo = try Data(contentsOf: URL(fileURLWithPath: photoA))
        let enrolled = Locked([String]()), failed = Locked(0), stopEnrolling = Locked(false)
        let enroller = DispatchGroup()
        let prefix = "bench-enrol-\(getpid())-", balancerURL = balancer.url
        DispatchQueue.global().async(group: enroller) {
            var i = 0
            while !stopEnrolling.value {
                let name = prefix + String(i)
                if Self.enrol(name: name, photo: photo, url: balancerURL) == 201 { enrolled.update { $0.append(name) } } else { failed.update { $0 += 1 } }
                i += 1
            }
        }
        let two = try ServeLoad.wrk(wrk, url: balancer.url + "/v1/identify", script: scripts.identify, connections: connections, seconds: duration)
        stopEnrolling.update { $0 = true }
        enroller.wait()
        let names = enrolled.value
        print(String(format: "identify, 2 instances × 1 worker behind nginx: %.1f req/s (%.0f%% of one instance), p50 %.0f ms, p99 %.0f ms, non-2xx %d",
                     two.rate, 100 * two.rate / one.rate, two.p50, two.p99, two.non2xx))
        print(String(format: "enrolments through nginx during that load (photo analysis included): %.2f per second (%d acknowledged, %d failed)",
                     Double(names.count) / Double(duration), names.count, failed.value))

        // Both instances hold every acknowledged enrolment (each learnt half of them through the database).
        let deadline = Date().addingTimeInterval(5)
        var missing = names.count
        while Date() < deadline {
            missing = [a, b].map { server in names.filter { ServeLoad.get(server.url + "/v1/people/" + $0)?.contains("\"embeddings\"") != true }.count }.reduce(0, +)
            if missing == 0 { break }
            usleep(100_000)
        }
        print("both instances hold all \(names.count) acknowledged enrolments: \(missing == 0 ? "yes" : "no, \(missing) missing")")

        for name in names { _ = try? store.remove(name: name) }
        print("gallery \(shown): \(copy.count) people kept for the next run")
    }

    /// Fills an empty database with `people` synthetic people (unit vectors of the encoder's size, labelled with its
    /// fingerprint) and photo A's person, in one `importAll`; a database that already holds a gallery is reused.
    private func fill(_ store: any GalleryStore, encoder: any ImageEncoder, models: LoadedModels) throws {
        do {
            if store.exists() {
                let existing = try store.load(expectingEncoder: encoder.fingerprint, dimension: encoder.embeddingDimension)
                print("reusing \(store.location): \(existing.count) people")
                return
            }
            let a = try FacePicker.face(in: .file(photoA), models: models, settings: FaceSettings()).embedding
            var synthetic = FaceGallery.synthetic(size: people, dimension: encoder.embeddingDimension, encoderFingerprint: encoder.fingerprint)
            try synthetic.enroll(name: "A", embeddings: [a])
            let t0 = Date()
            try store.importAll(synthetic)
            let seconds = Date().timeIntervalSince(t0)
            print(String(format: "import into PostgreSQL (one transaction): %d people in %.1f s (%.0f people/s)", synthetic.count, seconds,
                         Double(synthetic.count) / seconds))
        } catch let e as CommandFailure {
            throw e
        } catch let e as WorkflowError {
            throw CommandFailure(e)
        } catch {
            throw CommandFailure(WorkflowError.gallery(error))
        }
    }

    /// Enrols `count` people with one embedding each straight into the store, one transaction each, and removes them;
    /// returns enrolments per second.
    private func storeEnrolments(_ store: any GalleryStore, encoder: any ImageEncoder, count: Int) throws -> Double {
        let d = encoder.embeddingDimension
        let batch = (0..<count).map { i in
            GalleryEnrolment(name: "bench-store-\(getpid())-\(i)", embeddings: [Embedding((0..<d).map { Float(sin(Double(i * d + $0))) * 0.1 })])
        }
        let t0 = Date()
        var failures = 0
        do {
            try store.enroll(batch, encoderFingerprint: encoder.fingerprint, dimension: d) { _, r in if case .failure = r { failures += 1 } }
        } catch { throw CommandFailure(WorkflowError.gallery(error)) }
        let rate = Double(count) / Date().timeIntervalSince(t0)
        for e in batch { _ = try? store.remove(name: e.name) }
        if failures > 0 { throw CommandFailure.badInput("\(failures) of \(count) store enrolments were refused") }
        return rate
    }

    /// POST /v1/people with `photo` as `name` through `url`; the status, 0 when no answer came.
    private static func enrol(name: String, photo: Data, url: String) -> Int {
        let boundary = "pairmatchbenchboundary"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n\(name)\r\n".utf8)
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n".utf8)
        body += photo + Data("\r\n--\(boundary)--\r\n".utf8)
        var request = URLRequest(url: URL(string: url + "/v1/people")!)
        request.httpMethod = "POST"
        request.httpBody = body
        request.timeoutInterval = 60
        request.setValue("multipart/form-data; boundary=\(boundary)", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        let status = Locked(0)
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { _, response, _ in
            status.update { $0 = (response as? HTTPURLResponse)?.statusCode ?? 0 }
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 70)
        return status.value
    }

    /// "127.0.0.1:PORT" of "http://127.0.0.1:PORT".
    private static func hostPort(_ url: String) -> String { String(url.dropFirst("http://".count)) }

    /// A TCP port of 127.0.0.1 that nothing listens on now.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CommandFailure.badInput("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw CommandFailure.badInput("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
