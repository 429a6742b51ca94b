import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
@testable import PairmatchServer
import TestSupport
import Workflows
import XCTest

/// What the server tests share: the models (loaded once, or a skip with a printed reason), a server state over a
/// fresh gallery in a temporary folder, requests with multipart or JSON bodies, and the answers decoded.
enum ServerHarness {
    static let samples = TestPaths.repositoryRoot.appendingPathComponent("Data/samples")
    static let key = "test-key-0123456789"

    /// The imported models with the default head, loaded once per test process; nil when they are absent.
    nonisolated(unsafe) private static var cached: LoadedModels??
    private static let lock = NSLock()

    static func models() throws -> LoadedModels {
        let loaded: LoadedModels? = try lock.withLock {
            if let cached { return cached }
            guard let folder = TestPaths.models, FileManager.default.fileExists(atPath: folder.appendingPathComponent("head.h5").path) else {
                cached = .some(nil)
                return nil
            }
            let models = try LoadedModels.load(ModelSettings(folder: folder), embed: true, head: true, encoderThreads: 1)
            cached = .some(models)
            return models
        }
        guard let loaded else { throw XCTSkip(TestPaths.skipReason("no imported models with head.h5 (run make models)")) }
        return loaded
    }

    static func sample(_ name: String) throws -> Data { try Data(contentsOf: samples.appendingPathComponent(name)) }

    /// A server state over `models` (nil: not loaded) and a new SQLite gallery, with `configure` applied to the
    /// configuration (one API key by default). The caller shuts the pool down (`finish`).
    static func state(models: LoadedModels?, gallery: Bool = true, _ configure: (inout ServerConfiguration) -> Void = { _ in })
        throws -> (state: ServerState, folder: URL) {
        let folder = TestPaths.temporaryDirectory("server")
        var configuration = ServerConfiguration(port: 0, models: ModelSettings(folder: folder), galleryLocation: folder.appendingPathComponent("people.db").path,
                                                apiKeys: APIKeys([key]), workers: 2)
        configure(&configuration)
        var live: LiveGallery?
        if gallery, let models {
            let encoder = try models.requireEncoder()
            live = try LiveGallery.open(configuration.galleryLocation, encoderFingerprint: encoder.fingerprint,
                                        dimension: encoder.embeddingDimension)
        }
        var logger = Logger(label: "pairmatch-test")
        logger.logLevel = .warning
        return (ServerState(configuration: configuration, models: models, gallery: live, logger: logger), folder)
    }

    /// Runs `test` against the application of `state` (in-process router), then stops the pool and removes `folder`.
    static func test(_ state: ServerState, folder: URL, _ test: @Sendable @escaping (any TestClientProtocol) async throws -> Void) async throws {
        defer {
            state.pool.shutdown()
            state.gallery?.close()
            try? FileManager.default.removeItem(at: folder)
        }
        let (application, _) = makeApplication(state: state)
        try await application.test(.router) { client in try await test(client) }
    }

    // MARK: Bodies

    /// One multipart part: a text field, or a file with a filename.
    enum Part {
        case text(String, String)
        case file(String, filename: String, Data)
    }

    static let boundary = "pairmatch-test-boundary-7f3a"

    /// A `multipart/form-data` body and its content type.
    static func multipart(_ parts: [Part]) -> (headers: HTTPFields, body: ByteBuffer) {
        var data = Data()
        func line(_ s: String) { data.append(Data((s + "\r\n").utf8)) }
        for part in parts {
            line("--\(boundary)")
            switch part {
            case .text(let name, let value):
                line("Content-Disposition: form-data; name=\"\(name)\"")
                line("")
                line(value)
            case .file(let name, let filename, let bytes):
                line("Content-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"")
                line("Content-Type: application/octet-stream")
                line("")
                data.append(bytes)
                line("")
            }
        }
        line("--\(boundary)--")
        return ([.contentType: "multipart/form-data; boundary=\(boundary)"], ByteBuffer(data: data))
    }

    /// A JSON body (`application/json`) of `object`.
    static func json(_ object: Any) throws -> (headers: HTTPFields, body: ByteBuffer) {
        ([.contentType: "application/json"], ByteBuffer(data: try JSONSerialization.data(withJSONObject: object)))
    }

    static func authorized(_ headers: HTTPFields) -> HTTPFields {
        var h = headers
        h[.authorization] = "Bearer \(key)"
        return h
    }

    // MARK: Answers

    /// The response body as a JSON object (a test failure when it is not one).
    static func object(_ response: TestResponse, file: StaticString = #filePath, line: UInt = #line) -> [String: Any] {
        let data = Data(buffer: response.body)
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            XCTFail("not a JSON object: \(String(decoding: data.prefix(200), as: UTF8.self))", file: file, line: line)
            return [:]
        }
        return object
    }

    /// Asserts `response` is the error `{"error": {"code": code, "message"}}` with `status`; returns the message.
    @discardableResult
    static func assertError(_ response: TestResponse, _ status: HTTPResponse.Status, _ code: String,
                            file: StaticString = #filePath, line: UInt = #line) -> String {
        XCTAssertEqual(response.status, status, String(decoding: Data(buffer: response.body), as: UTF8.self), file: file, line: line)
        XCTAssertEqual(response.headers[.contentType], "application/json", file: file, line: line)
        let error = object(response, file: file, line: line)["error"] as? [String: Any]
        XCTAssertEqual(error?["code"] as? String, code, file: file, line: line)
        let message = error?["message"] as? String ?? ""
        XCTAssertFalse(message.isEmpty, "an error names its cause", file: file, line: line)
        XCTAssertFalse(message.contains("\n"), "one line", file: file, line: line)
        return message
    }
}
