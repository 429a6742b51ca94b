import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Workflows

/// Who may call a route.
enum Access: Sendable {
    /// Anyone (health, readiness, the web page, the API document).
    case open
    /// Anyone, or only key holders when the server runs with `requireKeyForReads`.
    case read
    /// Key holders only; a server with no key configured refuses every write.
    case write
}

/// One registered route: method and path template (`/v1/people/{name}`, the OpenAPI spelling, which is also
/// Hummingbird's).
struct RouteRecord: Hashable, Sendable, CustomStringConvertible {
    let method: HTTPRequest.Method
    let path: String
    var description: String { "\(method.rawValue) \(path)" }
}

/// Registers the routes on the router, each behind its access check, and remembers them: the list the OpenAPI
/// document is checked against, and the paths a 405 is answered for.
final class RouteTable: @unchecked Sendable {
    let router: Router<ServerRequestContext>
    let state: ServerState
    /// Every route, in registration order (only appended to while the application is built).
    private(set) var routes: [RouteRecord] = []

    init(router: Router<ServerRequestContext>, state: ServerState) {
        self.router = router
        self.state = state
    }

    typealias Handler = @Sendable (Request, ServerRequestContext) async throws -> Response

    /// Adds `method path` → `handler`, run after the access check.
    func add(_ method: HTTPRequest.Method, _ path: String, access: Access, _ handler: @escaping Handler) {
        routes.append(RouteRecord(method: method, path: path))
        let state = self.state
        router.on(RouterPath(path), method: method) { request, context -> Response in
            try Self.authorize(request, access: access, configuration: state.configuration)
            return try await handler(request, context)
        }
    }

    /// The methods registered for a concrete path (`/v1/people/Ann` matches `/v1/people/{name}`), empty when none.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let components = Self.components(path)
        return routes.filter { route in
            let template = Self.components(route.path)
            return template.count == components.count
                && zip(template, components).allSatisfy { t, c in (t.hasPrefix("{") && t.hasSuffix("}")) || t == c }
        }.map(\.method)
    }

    private static func components(_ path: String) -> [Substring] { path.split(separator: "/", omittingEmptySubsequences: true) }

    // MARK: Keys

    /// Throws 401 unless the request may use a route of `access`.
    static func authorize(_ request: Request, access: Access, configuration: ServerConfiguration) throws {
        switch access {
        case .open: return
        case .read: guard configuration.requireKeyForReads else { return }
        case .write: break
        }
        guard !configuration.apiKeys.isEmpty else {
            throw APIError.unauthorized("this server has no API key configured, so it accepts no writes (start it with --api-key-file FILE)")
        }
        guard let key = presentedKey(request.headers) else {
            throw APIError.unauthorized("an API key is required: send 'Authorization: Bearer KEY' or 'x-api-key: KEY'")
        }
        guard configuration.apiKeys.accepts(key) else { throw APIError.unauthorized("the API key is not valid") }
    }

    static let apiKeyField = HTTPField.Name("x-api-key")!

    /// The key a request presents: `Authorization: Bearer KEY`, else `x-api-key: KEY`.
    static func presentedKey(_ headers: HTTPFields) -> String? {
        if let auth = headers[.authorization] {
            let parts = auth.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return headers[apiKeyField]?.trimmingCharacters(in: .whitespaces)
    }
}

// MARK: Helpers the route handlers share

extension Response {
    /// A JSON answer (`application/json`), the CLI's one-line `--json` text.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        text(value.text + "\n", contentType: "application/json", status: status)
    }

    /// A text answer with `contentType`.
    static func text(_ text: String, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

extension Request {
    /// The query value of `name` (percent-decoded), nil when absent.
    func query(_ name: String) -> String? { uri.queryParameters.get(name) }

    /// The query integer `name` within `range`, `defaultValue` when absent; 400 naming it when malformed.
    func queryInt(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws -> Int {
        guard let s = query(name) else { return defaultValue }
        guard let v = Int(s), range.contains(v) else {
            throw APIError.badRequest("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound) (got \(s.prefix(20)))")
        }
        return v
    }

    /// The query flag `name` (`1`/`true`/…), false when absent; 400 naming it when malformed.
    func queryFlag(_ name: String) throws -> Bool {
        guard let s = query(name) else { return false }
        guard let v = FormValue.bool(s) else { throw APIError.badRequest("\(name) must be 1 or 0 (got \(s.prefix(20)))") }
        return v
    }

    /// The path parameter `name`, percent-decoded; 400 when it does not decode.
    func pathParameter(_ name: String, context: ServerRequestContext) throws -> String {
        guard let raw = context.parameters.get(name) else { throw APIError.missingField(name, "path parameter") }
        guard let decoded = raw.removingPercentEncoding else { throw APIError.badRequest("\(name): invalid percent-encoding in the path") }
        return decoded
    }
}
