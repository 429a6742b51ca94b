import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Workflows

/// The HTTP application of `pairmatch serve` over already loaded models and an open gallery: every route, the request
/// middleware (errors, metrics, log lines), the inference pool (started here, stopped at graceful shutdown, after
/// the server has finished its in-flight requests). The gallery stays open: its owner closes it after the
/// application has stopped (`runServer` does).
public func buildApplication(configuration: ServerConfiguration, models: LoadedModels, gallery: LiveGallery,
                             logger: Logger) -> some ApplicationProtocol {
    let state = ServerState(configuration: configuration, models: models, gallery: gallery, logger: logger)
    return makeApplication(state: state).application
}

/// The application over `state` and its route table (the routes registered, for the API document's test).
func makeApplication(state: ServerState, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in })
    -> (application: Application<RouterResponder<ServerRequestContext>>, routes: RouteTable) {
    let router = Router(context: ServerRequestContext.self)
    let table = RouteTable(router: router, state: state)
    router.add(middleware: RequestMiddleware(state: state, table: table))   // first: wraps every route and the 404
    table.addInferenceRoutes()
    table.addPeopleRoutes()
    table.addServiceRoutes()
    let configuration = ApplicationConfiguration(address: .hostname(state.configuration.host, port: state.configuration.port),
                                                 serverName: "pairmatch")
    let application = Application(router: router, configuration: configuration, services: [PoolService(pool: state.pool)],
                                  onServerRunning: onServerRunning, logger: state.logger)
    return (application, table)
}

/// Stops the inference pool's workers at graceful shutdown (after the server, which the application's service group
/// shuts down first, has answered its in-flight requests).
struct PoolService: Service {
    let pool: InferencePool

    func run() async throws {
        try? await gracefulShutdown()
        pool.shutdown()
    }
}

/// Marks the server as draining (`/readyz` 503) as soon as graceful shutdown starts.
struct DrainMarkerService: Service {
    let state: ServerState

    func run() async throws {
        try? await gracefulShutdown()
        state.draining = true
    }
}
