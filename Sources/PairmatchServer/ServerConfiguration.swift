import Foundation
import Workflows

/// Everything `pairmatch serve` is started with: where to listen, which models and gallery, who may write, and the
/// limits that keep one request from taking the machine (body bytes, image pixels, time, queue).
public struct ServerConfiguration: Sendable {
    /// Address to bind (default 127.0.0.1: only this machine; "0.0.0.0" for every interface).
    public var host: String
    /// TCP port; 0 binds any free port (the real one is printed once bound).
    public var port: Int
    /// The model files (loaded once, shared by every request).
    public var models: ModelSettings
    /// How photos become faces (detection, jitter, face choice). `maxPixels` here is replaced by `maxPixels` below.
    public var face: FaceSettings
    /// The gallery of enrolled people: `people.db`, `sqlite:PATH` or `PATH.h5` (see `LiveGallery.open`).
    public var galleryLocation: String
    /// The accepted API keys (empty: no key configured, so every write is refused).
    public var apiKeys: APIKeys
    /// Reads (inference, people lists, metrics) need a key too.
    public var requireKeyForReads: Bool
    /// Largest request body accepted, bytes (default 8 MiB); larger answers 413 before the body is read.
    public var maxBodyBytes: Int
    /// Largest decoded image accepted, pixels (default 40 MP); larger answers 413.
    public var maxPixels: Int
    /// How long a job may wait for a worker, seconds (default 30); past it the request answers 503.
    public var deadline: Double
    /// Jobs that may wait for a worker (default 64); one more answers 503 with `Retry-After: 1` at once.
    public var queueLimit: Int
    /// Inference worker threads (default: the active cores); each runs one request at a time.
    public var workers: Int

    public static let defaultMaxBodyBytes = 8 * 1024 * 1024
    public static let defaultMaxPixels = 40_000_000

    public init(host: String = "127.0.0.1", port: Int = 8080, models: ModelSettings, face: FaceSettings = FaceSettings(),
                galleryLocation: String = "people.db", apiKeys: APIKeys = APIKeys(), requireKeyForReads: Bool = false,
                maxBodyBytes: Int = ServerConfiguration.defaultMaxBodyBytes, maxPixels: Int = ServerConfiguration.defaultMaxPixels,
                deadline: Double = 30, queueLimit: Int = 64, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.host = host
        self.port = port
        self.models = models
        self.face = face
        self.galleryLocation = galleryLocation
        self.apiKeys = apiKeys
        self.requireKeyForReads = requireKeyForReads
        self.maxBodyBytes = maxBodyBytes
        self.maxPixels = maxPixels
        self.deadline = deadline
        self.queueLimit = queueLimit
        self.workers = workers
    }

    /// The face settings requests use: `face` with the server's pixel limit, and an image byte limit no larger than
    /// the body limit (an upload cannot be larger than the body that carried it).
    public var requestFaceSettings: FaceSettings {
        var settings = face
        settings.analysis.maxPixels = maxPixels
        settings.analysis.maxBytes = min(settings.analysis.maxBytes, maxBodyBytes)
        return settings
    }

    /// Throws `.usage` naming the first value out of range.
    public func validate() throws(WorkflowError) {
        guard (0...65_535).contains(port) else { throw WorkflowError(.usage, "--port must be between 0 and 65535 (got \(port))") }
        guard !host.isEmpty else { throw WorkflowError(.usage, "--host must not be empty") }
        guard maxBodyBytes >= 1 else { throw WorkflowError(.usage, "--max-body-bytes must be positive") }
        guard maxPixels >= 1 else { throw WorkflowError(.usage, "--max-pixels must be positive") }
        guard deadline.isFinite, deadline > 0, deadline <= 86_400 else {
            throw WorkflowError(.usage, "--deadline must be between 0 and 86400 seconds")
        }
        guard queueLimit >= 0 else { throw WorkflowError(.usage, "--queue must not be negative") }
        guard (1...1024).contains(workers) else { throw WorkflowError(.usage, "--workers must be between 1 and 1024") }
        guard !requireKeyForReads || !apiKeys.isEmpty else {
            throw WorkflowError(.usage, "--require-key-for-reads needs --api-key-file FILE")
        }
    }
}
