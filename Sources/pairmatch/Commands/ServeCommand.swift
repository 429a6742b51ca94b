import ArgumentParser
import Dispatch
import Foundation
import PairmatchServer
import Workflows

/// `pairmatch serve`: the HTTP service (compare, identify, verify, enrolment against a gallery) over the same
/// workflows as the other commands. Thin: options → `ServerConfiguration`, then `runServer` until SIGTERM/SIGINT.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve compare, identify, verify and enrolment over HTTP (JSON API under /v1, a web page at /).",
        discussion: """
        Models load once; inference runs on --workers threads with a queue of --queue waiting requests (one more \
        answers 503 with Retry-After: 1; a request waiting longer than --deadline seconds answers 503). Writes (POST and \
        DELETE /v1/people) need a key from --api-key-file (one per line, # comments), sent as 'Authorization: Bearer KEY' \
        or 'x-api-key: KEY'; without a key file every write is refused. The API is described at /v1/openapi.json; \
        /healthz, /readyz and /metrics (Prometheus) are for operators. Prints 'pairmatch: listening on http://HOST:PORT' \
        to stderr once bound (--port 0: any free port). SIGTERM or SIGINT: stops accepting, finishes the requests in \
        flight, closes the gallery. Exit 3 when a model or the gallery cannot be loaded.
        """
    )

    @Option(help: ArgumentHelp("Address to listen on (0.0.0.0: every interface).", valueName: "address"))
    var host = "127.0.0.1"
    @Option(help: ArgumentHelp("TCP port (0: any free port, printed once bound).", valueName: "port"))
    var port = 8080
    @Option(help: ArgumentHelp("Gallery: people.db (SQLite), sqlite:PATH, postgres://USER@HOST:PORT/DATABASE (password in PGPASSWORD), or FILE.h5.", valueName: "location"))
    var gallery = "people.db"
    @Option(name: .customLong("api-key-file"), help: ArgumentHelp("File of API keys, one per line (blank lines and # comments ignored).", valueName: "file"))
    var apiKeyFile: String?
    @Flag(name: .customLong("require-key-for-reads"), help: "Require an API key for every /v1 route and /metrics, not only writes.")
    var requireKeyForReads = false
    @Option(name: .customLong("max-body-bytes"), help: ArgumentHelp("Largest request body, bytes.", valueName: "n"))
    var maxBodyBytes = ServerConfiguration.defaultMaxBodyBytes
    @Option(help: ArgumentHelp("Longest wait of a request for an inference worker, seconds.", valueName: "seconds"))
    var deadline = 30.0
    @Option(help: ArgumentHelp("Requests that may wait for a worker; one more answers 503.", valueName: "n"))
    var queue = 64
    @Option(help: ArgumentHelp("Inference worker threads (default: all cores).", valueName: "n"))
    var workers: Int?

    @OptionGroup var headOptions: HeadOptions
    @OptionGroup var face: FaceOptions
    @OptionGroup var encoderOptions: EncoderOptions
    @OptionGroup var models: ModelOptions

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard maxBodyBytes >= 1 else { throw ValidationError("--max-body-bytes must be positive") }
        guard deadline.isFinite, deadline > 0, deadline <= 86_400 else { throw ValidationError("--deadline must be between 0 and 86400 seconds") }
        guard queue >= 0 else { throw ValidationError("--queue must not be negative") }
        if let workers, !(1...1024).contains(workers) { throw ValidationError("--workers must be between 1 and 1024") }
        if requireKeyForReads && apiKeyFile == nil { throw ValidationError("--require-key-for-reads needs --api-key-file FILE") }
    }

    func run() throws {
        var configuration = ServerConfiguration(
            host: host, port: port, models: models.settings(face: face, head: headOptions, encoder: encoderOptions),
            face: face.settings(), galleryLocation: gallery, requireKeyForReads: requireKeyForReads, maxBodyBytes: maxBodyBytes,
            deadline: deadline, queueLimit: queue, workers: workers ?? ProcessInfo.processInfo.activeProcessorCount)
        configuration.maxPixels = face.maxPixels   // --max-pixels, the same option and default as every command's
        if let apiKeyFile {
            do { configuration.apiKeys = try APIKeys.load(file: apiKeyFile) } catch { throw CommandFailure(error) }
        }
        do { try configuration.validate() } catch { throw ValidationError(error.message) }

        // The root command runs synchronously; the server is async. Run it on the concurrency pool and wait.
        let outcome = ServeOutcome()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { try await runServer(configuration: configuration) } catch { outcome.error = error }
            done.signal()
        }
        done.wait()
        switch outcome.error {
        case nil: return
        case let e as WorkflowError: throw CommandFailure(e)
        case let e?: throw CommandFailure.badInput("cannot serve on \(host):\(port): \(e)")
        }
    }
}

/// The server task's failure, handed to the waiting command.
private final class ServeOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var _error: Error?
    var error: Error? {
        get { lock.withLock { _error } }
        set { lock.withLock { _error = newValue } }
    }
}
