import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Wraps every request (routes and the not-found responder):
/// - turns every error into `{"error": {"code", "message"}}` with its status and headers (a path that exists under
///   another method is 405 with `Allow`, an unknown path 404 `not_found`);
/// - counts it in the metrics (route template, method, status, latency, faces found);
/// - logs one structured line: method, path (never the query, which could hold a secret), status, duration in ms,
///   bytes in and out, faces found, and the error code and message when it failed. Never image bytes or keys.
struct RequestMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let state: ServerState
    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        var failure: APIError?
        do {
            response = try await next(request, context)
        } catch {
            let apiError = resolve(error, request: request, context: context)
            failure = apiError
            response = .json(apiError.json, status: apiError.status)
            response.headers.append(contentsOf: apiError.headers)
        }
        let duration = ContinuousClock.now - start
        let route = context.endpointPath ?? "NotFound"
        let faces = context.stats.facesFound
        state.metrics.request(route: route, method: request.method.rawValue, status: response.status.code, duration: duration, faces: faces)

        let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "status": .stringConvertible(response.status.code),
            "duration_ms": .string(String(format: "%.1f", ms)),
            "bytes_in": .stringConvertible(context.stats.bytesIn),
            "bytes_out": .stringConvertible(response.body.contentLength ?? 0),
            "faces": .stringConvertible(faces),
        ]
        if let failure {
            metadata["error"] = .string(failure.code)
            metadata["message"] = .string(failure.message)
        }
        // 503 (busy, past the deadline, not ready) is the server protecting itself, not a fault: info like the rest.
        let level: Logger.Level = response.status.code >= 500 && response.status.code != 503 ? .error : .info
        context.logger.log(level: level, "request", metadata: metadata)
        return response
    }

    /// The API's answer for `error`: a route miss becomes 405 or 404, everything else `APIError.from`.
    private func resolve(_ error: Error, request: Request, context: Context) -> APIError {
        if let http = error as? HTTPError, http.status == .notFound, context.endpointPath == "NotFound" || context.endpointPath == nil {
            let allowed = table.methods(for: request.uri.path)
            return allowed.isEmpty ? .notFound(request.uri.path) : .methodNotAllowed(request.method, request.uri.path, allowed: allowed)
        }
        return APIError.from(error)
    }
}
