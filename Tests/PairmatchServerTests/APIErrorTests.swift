import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ImageInput
import NIOCore
@testable import PairmatchServer
import TestSupport
import Workflows
import XCTest

/// Every refusal the API makes, each with its status, its code and one line naming the input: 400 malformed, 413 over
/// a limit, 415 not an image or the wrong content type, 422 no face, 503 busy or past the deadline (Retry-After).
/// Bad input is never a 500.
final class APIErrorTests: XCTestCase {
    typealias H = ServerHarness

    func testMalformedRequestsAre400NamingTheField() async throws {
        let models = try H.models()
        let (state, folder) = try H.state(models: models)
        let a = try H.sample("obama.jpg")
        try await H.test(state, folder: folder) { client in
            let (mh, mb) = H.multipart([.file("a", filename: "a.jpg", a)])
            let missing = H.assertError(try await client.execute(uri: "/v1/compare", method: .post, headers: mh, body: mb), .badRequest, "bad_request")
            XCTAssertTrue(missing.contains("'b'"), missing)

            let json: HTTPFields = [.contentType: "application/json"]
            H.assertError(try await client.execute(uri: "/v1/compare", method: .post, headers: json, body: ByteBuffer(string: "{\"a\": ")),
                          .badRequest, "bad_request")
            H.assertError(try await client.execute(uri: "/v1/compare", method: .post, headers: json, body: ByteBuffer(string: "[1, 2]")),
                          .badRequest, "bad_request")
            let (bh, bb) = try H.json(["a": "not base64!", "b": a.base64EncodedString()])
            let base64 = H.assertError(try await client.execute(uri: "/v1/compare", method: .post, headers: bh, body: bb), .badRequest, "bad_request")
            XCTAssertTrue(base64.contains("a") && base64.contains("base64"), base64)

            // A multipart body without its boundary, or cut short.
            let noBoundary: HTTPFields = [.contentType: "multipart/form-data"]
            H.assertError(try await client.execute(uri: "/v1/detect", method: .post, headers: noBoundary, body: ByteBuffer(string: "x")),
                          .badRequest, "bad_request")
            var cut = mb
            cut.moveWriterIndex(to: cut.writerIndex - 30)
            H.assertError(try await client.execute(uri: "/v1/detect", method: .post, headers: mh, body: cut), .badRequest, "bad_request")
            H.assertError(try await client.execute(uri: "/v1/identify?top=x", method: .post, headers: mh, body: mb), .badRequest, "bad_request")
        }
    }

    func testBodiesAndImagesOverTheLimitsAre413() async throws {
        let models = try H.models()
        let a = try H.sample("obama.jpg")
        let (state, folder) = try H.state(models: models) { $0.maxBodyBytes = a.count + 1024; $0.maxPixels = 10_000 }
        try await H.test(state, folder: folder) { client in
            let (h, body) = H.multipart([.file("a", filename: "a.jpg", a), .file("b", filename: "b.jpg", a)])
            let body413 = H.assertError(try await client.execute(uri: "/v1/compare", method: .post, headers: h, body: body), .contentTooLarge, "too_large")
            XCTAssertTrue(body413.contains("\(a.count + 1024)"), body413)
            // Fits the body limit, but the decoded photo is over the pixel limit.
            let (ih, ib) = H.multipart([.file("image", filename: "big.jpg", a)])
            let pixels = H.assertError(try await client.execute(uri: "/v1/detect", method: .post, headers: ih, body: ib), .contentTooLarge, "too_large")
            XCTAssertTrue(pixels.contains("big.jpg") || pixels.contains("image"), pixels)
        }
    }

    func testNotAnImageAndTheWrongContentTypeAre415() async throws {
        let models = try H.models()
        let (state, folder) = try H.state(models: models)
        try await H.test(state, folder: folder) { client in
            let (h, body) = H.multipart([.file("image", filename: "notes.txt", Data("just some text, not a picture".utf8))])
            let message = H.assertError(try await client.execute(uri: "/v1/detect", method: .post, headers: h, body: body),
                                        .unsupportedMediaType, "not_an_image")
            XCTAssertTrue(message.contains("notes.txt"), message)
            H.assertError(try await client.execute(uri: "/v1/detect", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "x")),
                          .unsupportedMediaType, "unsupported_media_type")
            H.assertError(try await client.execute(uri: "/v1/detect", method: .post, body: ByteBuffer(string: "x")),
                          .unsupportedMediaType, "unsupported_media_type")
            let (mh, mb) = H.multipart([.text("a", "x")])
            H.assertError(try await client.execute(uri: "/v1/compare/embeddings", method: .post, headers: mh, body: mb),
                          .unsupportedMediaType, "unsupported_media_type")
        }
    }

    /// Compare with a photo that holds no face: 422, and the message names which of the two it was.
    func testNoFaceIs422NamingTheImage() async throws {
        let models = try H.models()
        let (state, folder) = try H.state(models: models)
        let blank = try RGBImage(width: 200, height: 200, fill: RGBPixel(r: 90, g: 90, b: 90)).pngData()
        try await H.test(state, folder: folder) { client in
            let (h, body) = H.multipart([.file("a", filename: "obama.jpg", try H.sample("obama.jpg")), .file("b", filename: "wall.png", blank)])
            let message = H.assertError(try await client.execute(uri: "/v1/compare", method: .post, headers: h, body: body),
                                        .unprocessableContent, "no_face")
            XCTAssertTrue(message.contains("wall.png"), message)
            XCTAssertFalse(message.contains("obama.jpg"), message)
            // Detect and identify answer an image without faces with an empty list, not an error.
            let (dh, db) = H.multipart([.file("image", filename: "wall.png", blank)])
            let detect = try await client.execute(uri: "/v1/detect", method: .post, headers: dh, body: db)
            XCTAssertEqual(detect.status, .ok)
            XCTAssertEqual((H.object(detect)["faces"] as? [Any])?.count, 0)
        }
    }

    /// One worker, no queue: while it is busy, a request is refused at once with 503 `busy` and `Retry-After: 1`;
    /// with a queue and a short deadline, a request that waits too long is 503 `timeout`. Both are counted.
    func testAFullQueueAndThePassedDeadlineAre503WithRetryAfter() async throws {
        let models = try H.models()
        for (queue, code) in [(0, "busy"), (4, "timeout")] {
            let (state, folder) = try H.state(models: models) { $0.workers = 1; $0.queueLimit = queue; $0.deadline = 0.2 }
            let release = DispatchSemaphore(value: 0), started = DispatchSemaphore(value: 0)
            let blocker = Task { try await state.pool.submit { started.signal(); release.wait() } }
            started.wait()
            try await H.test(state, folder: folder) { client in
                let (h, body) = try H.json(["a": [Double](repeating: 0.1, count: 128), "b": [Double](repeating: 0.2, count: 128)])
                let refused = try await client.execute(uri: "/v1/compare/embeddings", method: .post, headers: h, body: body)
                H.assertError(refused, .serviceUnavailable, code)
                XCTAssertEqual(refused.headers[.retryAfter], "1")
                release.signal()
                try await blocker.value
                // The worker counts itself free just after the job's answer is handed back.
                for _ in 0..<1000 where state.pool.active > 0 { try await Task.sleep(nanoseconds: 1_000_000) }
                let served = try await client.execute(uri: "/v1/compare/embeddings", method: .post, headers: h, body: body)
                XCTAssertEqual(served.status, .ok, "answered again once the worker is free")
                let metrics = String(decoding: Data(buffer: try await client.execute(uri: "/metrics", method: .get).body), as: UTF8.self)
                XCTAssertTrue(metrics.contains("pairmatch_inference_rejected_total{reason=\"\(code)\"} 1"), metrics)
            }
        }
    }
}
