import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals
import Workflows

/// `pairmatch serve`: loads the models and opens the gallery (a failure throws the `WorkflowError`: `.model` or
/// `.gallery`, the CLI's exit 3), binds, prints `pairmatch: listening on http://HOST:PORT` to stderr once the port is
/// bound (the real port when `port` is 0), and serves until SIGTERM or SIGINT. Then it stops accepting connections,
/// finishes the requests in flight, stops the inference workers and closes the gallery.
public func runServer(configuration: ServerConfiguration) async throws {
    try configuration.validate()
    let logger = serverLogger()
    let models = try LoadedModels.load(configuration.models, embed: true, head: true, encoderThreads: 1)
    let encoder = try models.requireEncoder()
    let gallery = try LiveGallery.open(configuration.galleryLocation, encoderFingerprint: encoder.fingerprint,
                                       dimension: encoder.embeddingDimension) { status in
        switch status {
        case .offline(_, let reason):
            logger.warning("gallery database unreachable: answering reads from memory, refusing writes", metadata: ["reason": .string(reason)])
        case .inStep:
            logger.info("gallery database reachable again: caught up, accepting writes")
        }
    }
    defer { gallery.close() }

    let state = ServerState(configuration: configuration, models: models, gallery: gallery, logger: logger)
    let host = configuration.host
    let (application, _) = makeApplication(state: state) { channel in
        let port = channel.localAddress?.port ?? configuration.port
        let shown = host.contains(":") ? "[\(host)]" : host
        FileHandle.standardError.write(Data("pairmatch: listening on http://\(shown):\(port)\n".utf8))
    }
    logger.info("serving", metadata: [
        "gallery": .string(gallery.location), "people": .stringConvertible(gallery.count), "workers": .stringConvertible(configuration.workers),
        "queue": .stringConvertible(configuration.queueLimit), "keys": .stringConvertible(configuration.apiKeys.count),
        "require_key_for_reads": .stringConvertible(configuration.requireKeyForReads),
    ])
    // Reverse order at shutdown: first mark draining (readyz 503), then the application (stop accepting, finish
    // in-flight requests, stop the workers); the gallery is closed when the group has returned.
    let group = ServiceGroup(configuration: .init(services: [application, DrainMarkerService(state: state)],
                                                  gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    try await group.run()
    logger.info("stopped")
}

/// Log lines to stderr, one per event (`LOG_LEVEL` sets the level; default info).
func serverLogger() -> Logger {
    var logger = Logger(label: "pairmatch.server") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
    return logger
}
