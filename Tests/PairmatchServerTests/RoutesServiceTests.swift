import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import PairmatchServer
import TestSupport
import Workflows
import XCTest

/// Health, readiness, metrics, the API document, the web page, and the answers for paths and methods no route serves.
final class RoutesServiceTests: XCTestCase {
    typealias H = ServerHarness

    func testHealthAndReadinessBeforeAndAfterLoading() async throws {
        let (state, folder) = try H.state(models: nil)
        try await H.test(state, folder: folder) { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            XCTAssertEqual(health.status, .ok)
            XCTAssertEqual(H.object(health)["status"] as? String, "ok")

            let ready = try await client.execute(uri: "/readyz", method: .get)
            XCTAssertEqual(ready.status, .serviceUnavailable)
            XCTAssertEqual(ready.headers[.retryAfter], "1")
            XCTAssertEqual(H.object(ready)["reason"] as? String, "loading models")

            // A route that needs the models answers 503 not_ready, never 500.
            let (headers, body) = try H.json(["a": [1.0], "b": [1.0]])
            H.assertError(try await client.execute(uri: "/v1/compare/embeddings", method: .post, headers: headers, body: body),
                          .serviceUnavailable, "not_ready")
        }
        let models = try H.models()
        let (loaded, folder2) = try H.state(models: models)
        try await H.test(loaded, folder: folder2) { client in
            let ready = try await client.execute(uri: "/readyz", method: .get)
            XCTAssertEqual(ready.status, .ok)
            XCTAssertEqual(H.object(ready)["status"] as? String, "ready")
            loaded.draining = true
            let draining = try await client.execute(uri: "/readyz", method: .get)
            XCTAssertEqual(draining.status, .serviceUnavailable)
            XCTAssertEqual(H.object(draining)["reason"] as? String, "shutting down")
        }
    }

    /// The document's paths and methods are exactly the routes registered.
    func testTheAPIDocumentListsExactlyTheRoutes() async throws {
        let (state, folder) = try H.state(models: nil)
        let (_, table) = makeApplication(state: state)
        let registered = Set(table.routes.map { "\($0.method.rawValue.lowercased()) \($0.path)" })
        try await H.test(state, folder: folder) { client in
            let response = try await client.execute(uri: "/v1/openapi.json", method: .get)
            XCTAssertEqual(response.status, .ok)
            let document = H.object(response)
            XCTAssertEqual(document["openapi"] as? String, "3.0.3")
            let paths = try XCTUnwrap(document["paths"] as? [String: [String: Any]])
            var documented = Set<String>()
            for (path, operations) in paths {
                for (method, operation) in operations {
                    documented.insert("\(method) \(path)")
                    let responses = (operation as? [String: Any])?["responses"] as? [String: Any]
                    XCTAssertNotNil(responses?["200"] ?? responses?["201"], "\(method) \(path) documents its answer")
                }
            }
            XCTAssertEqual(documented, registered)
            XCTAssertEqual(registered.count, table.routes.count, "no route registered twice")
            // Every schema a path refers to exists.
            let schemas = try XCTUnwrap((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let text = String(decoding: Data(buffer: response.body), as: UTF8.self)
            let refs = text.components(separatedBy: "#/components/schemas/").dropFirst().map { $0.prefix { $0 != "\"" } }
            XCTAssertFalse(refs.isEmpty)
            for ref in refs { XCTAssertNotNil(schemas[String(ref)], "schema \(ref)") }
        }
        state.pool.shutdown()
    }

    func testUnknownPathsAre404AndWrongMethods405WithAllow() async throws {
        let (state, folder) = try H.state(models: nil)
        try await H.test(state, folder: folder) { client in
            H.assertError(try await client.execute(uri: "/v1/nothing", method: .get), .notFound, "not_found")
            let wrong = try await client.execute(uri: "/v1/compare", method: .get)
            H.assertError(wrong, .methodNotAllowed, "method_not_allowed")
            XCTAssertEqual(wrong.headers[.allow], "POST")
            let person = try await client.execute(uri: "/v1/people/ann", method: .put)
            H.assertError(person, .methodNotAllowed, "method_not_allowed")
            XCTAssertEqual(Set((person.headers[.allow] ?? "").components(separatedBy: ", ")), ["GET", "DELETE"])
        }
    }

    func testTheWebPageAndItsFilesAreServedFromTheBinary() async throws {
        let (state, folder) = try H.state(models: nil)
        try await H.test(state, folder: folder) { client in
            let page = try await client.execute(uri: "/", method: .get)
            XCTAssertEqual(page.status, .ok)
            XCTAssertEqual(page.headers[.contentType], "text/html; charset=utf-8")
            let html = String(decoding: Data(buffer: page.body), as: UTF8.self)
            XCTAssertTrue(html.contains("app.js") && html.contains("style.css"), "the page loads its own files")
            XCTAssertFalse(html.contains("http://") || html.contains("https://"), "no CDN")
            for (path, type) in [("/app.js", "text/javascript; charset=utf-8"), ("/style.css", "text/css; charset=utf-8")] {
                let file = try await client.execute(uri: path, method: .get)
                XCTAssertEqual(file.status, .ok, path)
                XCTAssertEqual(file.headers[.contentType], type, path)
                XCTAssertGreaterThan(file.body.readableBytes, 100, path)
            }
        }
    }

    /// Requests are counted by route template, method and status; the pool and the gallery publish their gauges.
    func testMetricsCountRequestsInPrometheusText() async throws {
        let models = try H.models()
        let (state, folder) = try H.state(models: models)
        try await H.test(state, folder: folder) { client in
            _ = try await client.execute(uri: "/healthz", method: .get)
            _ = try await client.execute(uri: "/healthz", method: .get)
            _ = try await client.execute(uri: "/v1/people/nobody", method: .get)
            let (headers, body) = H.multipart([.file("image", filename: "obama.jpg", try H.sample("obama.jpg"))])
            let r0 = try await client.execute(uri: "/v1/detect", method: .post, headers: headers, body: body)
            XCTAssertEqual(r0.status, .ok)
            let response = try await client.execute(uri: "/metrics", method: .get)
            XCTAssertEqual(response.status, .ok)
            XCTAssertEqual(response.headers[.contentType], "text/plain; version=0.0.4; charset=utf-8")
            let text = String(decoding: Data(buffer: response.body), as: UTF8.self)
            let lines = text.split(separator: "\n").map(String.init)
            func value(_ prefix: String, _ labels: [String]) -> Double? {
                lines.first { $0.hasPrefix(prefix + "{") && labels.allSatisfy($0.contains) }
                    .flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
            }
            XCTAssertEqual(value("pairmatch_http_requests_total", ["route=\"/healthz\"", "status=\"200\""]), 2, text)
            XCTAssertEqual(value("pairmatch_http_requests_total", ["route=\"/v1/people/{name}\"", "status=\"404\""]), 1, text)
            XCTAssertEqual(value("pairmatch_faces_found_total", ["route=\"/v1/detect\""]), 1, text)
            XCTAssertNotNil(value("pairmatch_http_request_duration_seconds_bucket", ["route=\"/v1/detect\""]), text)
            XCTAssertTrue(lines.contains { $0.hasPrefix("pairmatch_inference_queue_depth") }, text)
            let identities = lines.first { $0.hasPrefix("pairmatch_gallery_identities ") }.flatMap { Double($0.split(separator: " ")[1]) }
            XCTAssertEqual(identities, 0, text)
            XCTAssertTrue(text.contains("# TYPE pairmatch_http_requests_total counter"), text)
        }
    }

    /// With `requireKeyForReads`, reads need the key too; open routes (health, page, document) never do.
    func testReadsNeedTheKeyWhenConfiguredSo() async throws {
        let models = try H.models()
        let (state, folder) = try H.state(models: models) { $0.requireKeyForReads = true }
        try await H.test(state, folder: folder) { client in
            H.assertError(try await client.execute(uri: "/v1/people", method: .get), .unauthorized, "unauthorized")
            H.assertError(try await client.execute(uri: "/metrics", method: .get), .unauthorized, "unauthorized")
            let r1 = try await client.execute(uri: "/v1/people", method: .get, headers: H.authorized([:]))
            XCTAssertEqual(r1.status, .ok)
            let r2 = try await client.execute(uri: "/v1/people", method: .get, headers: [RouteTable.apiKeyField: H.key])
            XCTAssertEqual(r2.status, .ok)
            for open in ["/healthz", "/readyz", "/", "/v1/openapi.json"] {
                let r3 = try await client.execute(uri: open, method: .get)
                XCTAssertEqual(r3.status, .ok, open)
            }
        }
    }
}
