import Foundation
import HTTPTypes
import Hummingbird
import Workflows

/// The routes around the API: liveness, readiness, metrics, the API document and the web page.
extension RouteTable {
    func addServiceRoutes() {
        let state = self.state

        // GET /healthz: 200 while the process runs.
        add(.get, "/healthz", access: .open) { _, _ in .json(.object([("status", .string("ok"))])) }

        // GET /readyz: 200 once models and gallery are loaded, 503 before, while shutting down, and while a shared
        // gallery's database cannot be reached.
        add(.get, "/readyz", access: .open) { _, _ in
            if let why = state.notReadyReason {
                var response = Response.json(.object([("status", .string("not_ready")), ("reason", .string(why))]), status: .serviceUnavailable)
                response.headers[.retryAfter] = "1"
                return response
            }
            return .json(.object([("status", .string("ready"))]))
        }

        // GET /metrics: Prometheus text exposition format 0.0.4.
        add(.get, "/metrics", access: .read) { _, _ in
            state.updateGalleryMetrics()
            return .text(state.metrics.text(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }

        // GET /v1/openapi.json: the API document.
        add(.get, "/v1/openapi.json", access: .open) { _, _ in .json(OpenAPIDocument.document) }

        // The web page (static, held in the binary).
        add(.get, "/", access: .open) { _, _ in .text(WebPage.html, contentType: "text/html; charset=utf-8") }
        add(.get, "/app.js", access: .open) { _, _ in .text(WebPage.javaScript, contentType: "text/javascript; charset=utf-8") }
        add(.get, "/style.css", access: .open) { _, _ in .text(WebPage.css, contentType: "text/css; charset=utf-8") }
    }
}
