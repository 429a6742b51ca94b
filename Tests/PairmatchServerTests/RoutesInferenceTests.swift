import FaceEmbedding
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import PairmatchServer
import TestSupport
import Workflows
import XCTest

/// Compare, embed, detect, identify and verify over HTTP: the same answers as the workflows the CLI calls, whether
/// the images come as multipart parts or base64 JSON, and the embeddings variants agree with the image routes.
final class RoutesInferenceTests: XCTestCase {
    typealias H = ServerHarness

    func testCompareAnswersWhatTheWorkflowAnswersInBothBodyForms() async throws {
        let models = try H.models()
        let a = try H.sample("obama.jpg"), b = try H.sample("obama2.jpg")
        let expected = try CompareWorkflow.compare(.upload(field: "a", name: "obama.jpg", bytes: a), .upload(field: "b", name: "obama2.jpg", bytes: b),
                                                   models: models, settings: FaceSettings())
        let (state, folder) = try H.state(models: models)
        try await H.test(state, folder: folder) { client in
            let (mh, mb) = H.multipart([.file("a", filename: "obama.jpg", a), .file("b", filename: "obama2.jpg", b)])
            let multipart = try await client.execute(uri: "/v1/compare?chips=1", method: .post, headers: mh, body: mb)
            XCTAssertEqual(multipart.status, .ok)
            let m = H.object(multipart)
            XCTAssertEqual((m["probability"] as? NSNumber)?.floatValue, expected.probability)
            XCTAssertEqual(m["same"] as? Bool, true)
            XCTAssertNotNil(m["threshold"] as? Double)
            XCTAssertNotNil(m["distance"] as? Double)
            for side in ["a", "b"] {
                let s = m[side] as? [String: Any]
                XCTAssertEqual((s?["box"] as? [Int])?.count, 4, side)
                XCTAssertEqual(s?["face"] as? Int, 1, side)   // faces count from 1, as the CLI's --face
                XCTAssertEqual(s?["faces_found"] as? Int, 1, side)
                XCTAssertTrue((s?["chip"] as? String)?.hasPrefix("data:image/png;base64,") ?? false, "\(side) chip")
            }
            XCTAssertEqual((m["a"] as? [String: Any])?["path"] as? String, "obama.jpg")

            let (jh, jb) = try H.json(["a": a.base64EncodedString(), "b": ["data": "data:image/jpeg;base64," + b.base64EncodedString(), "name": "x.jpg"]])
            let json = try await client.execute(uri: "/v1/compare", method: .post, headers: jh, body: jb)
            XCTAssertEqual(json.status, .ok)
            let j = H.object(json)
            XCTAssertEqual((j["probability"] as? NSNumber)?.floatValue, expected.probability)
            XCTAssertNil((j["a"] as? [String: Any])?["chip"], "chips only when asked")

            let (bh, bb) = H.multipart([.file("a", filename: "obama.jpg", a), .file("b", filename: "biden.jpg", try H.sample("biden.jpg"))])
            let r0 = try await client.execute(uri: "/v1/compare", method: .post, headers: bh, body: bb)
            XCTAssertEqual(H.object(r0)["same"] as? Bool, false)
        }
    }

    func testEmbedAndDetectAndTheEmbeddingsRoutesAgree() async throws {
        let models = try H.models()
        let (state, folder) = try H.state(models: models)
        let a = try H.sample("obama.jpg"), b = try H.sample("obama2.jpg")
        try await H.test(state, folder: folder) { client in
            func embedding(_ data: Data) async throws -> [Double] {
                let (h, body) = H.multipart([.file("image", filename: "p.jpg", data)])
                let response = try await client.execute(uri: "/v1/embed", method: .post, headers: h, body: body)
                XCTAssertEqual(response.status, .ok)
                let faces = H.object(response)["faces"] as? [[String: Any]] ?? []
                XCTAssertEqual(faces.count, 1)
                return faces.first?["embedding"] as? [Double] ?? []
            }
            let ea = try await embedding(a), eb = try await embedding(b)
            XCTAssertEqual(ea.count, 128)

            let (dh, db) = H.multipart([.file("image", filename: "p.jpg", a)])
            let detect = H.object(try await client.execute(uri: "/v1/detect", method: .post, headers: dh, body: db))
            let face = (detect["faces"] as? [[String: Any]])?.first
            XCTAssertEqual((face?["box"] as? [Int])?.count, 4)
            XCTAssertEqual((face?["landmarks"] as? [[Int]])?.count, 5)
            XCTAssertNil(face?["embedding"], "detect does not embed")

            // Embeddings in, the same probability as images in.
            let (ih, ib) = H.multipart([.file("a", filename: "a.jpg", a), .file("b", filename: "b.jpg", b)])
            let images = H.object(try await client.execute(uri: "/v1/compare", method: .post, headers: ih, body: ib))
            let (eh, eBody) = try H.json(["a": ea, "b": eb])
            let direct = H.object(try await client.execute(uri: "/v1/compare/embeddings", method: .post, headers: eh, body: eBody))
            XCTAssertEqual((direct["probability"] as? NSNumber)?.floatValue, (images["probability"] as? NSNumber)?.floatValue)

            // A wrong dimension is the client's mistake: 400 naming the field.
            let (wh, wb) = try H.json(["a": [0.5, 0.5], "b": eb])
            let message = H.assertError(try await client.execute(uri: "/v1/compare/embeddings", method: .post, headers: wh, body: wb),
                                        .badRequest, "bad_request")
            XCTAssertTrue(message.contains("a") && message.contains("128"), message)
            let (nh, nb) = try H.json(["a": ["x"], "b": eb])
            H.assertError(try await client.execute(uri: "/v1/compare/embeddings", method: .post, headers: nh, body: nb), .badRequest, "bad_request")
        }
    }

    func testIdentifyAndVerifyAgainstAnEnrolledPerson() async throws {
        let models = try H.models()
        let (state, folder) = try H.state(models: models)
        let a = try H.sample("obama.jpg"), b = try H.sample("obama2.jpg"), biden = try H.sample("biden.jpg")
        try await H.test(state, folder: folder) { client in
            // Empty gallery: every face is unknown.
            let (h0, b0) = H.multipart([.file("image", filename: "b.jpg", b)])
            let empty = H.object(try await client.execute(uri: "/v1/identify", method: .post, headers: h0, body: b0))
            XCTAssertEqual((empty["faces"] as? [[String: Any]])?.first?["decision"] as? String, "unknown")

            let (eh, eb) = H.multipart([.text("name", "obama"), .file("image", filename: "a.jpg", a)])
            let r1 = try await client.execute(uri: "/v1/people", method: .post, headers: H.authorized(eh), body: eb)
            XCTAssertEqual(r1.status, .created)
            let (bh, bb) = H.multipart([.text("name", "biden"), .file("image", filename: "biden.jpg", biden)])
            let r2 = try await client.execute(uri: "/v1/people", method: .post, headers: H.authorized(bh), body: bb)
            XCTAssertEqual(r2.status, .created)

            let (ih, ib) = H.multipart([.file("image", filename: "b.jpg", b)])
            let found = try await client.execute(uri: "/v1/identify?top=2", method: .post, headers: ih, body: ib)
            XCTAssertEqual(found.status, .ok)
            let f = H.object(found)
            let face = try XCTUnwrap((f["faces"] as? [[String: Any]])?.first)
            let matches = face["matches"] as? [[String: Any]] ?? []
            XCTAssertEqual(matches.map { $0["name"] as? String }, ["obama", "biden"])
            XCTAssertEqual(face["decision"] as? String, "obama", "\(face)")
            XCTAssertNotNil(f["width"] as? Int)

            // The same through the embeddings route.
            let (xh, xb) = H.multipart([.file("image", filename: "b.jpg", b)])
            let embedded = H.object(try await client.execute(uri: "/v1/embed", method: .post, headers: xh, body: xb))
            let e = try XCTUnwrap(((embedded["faces"] as? [[String: Any]])?.first?["embedding"]) as? [Double])
            let (jh, jb) = try H.json(["embeddings": [e], "top": 1])
            let direct = H.object(try await client.execute(uri: "/v1/identify/embeddings", method: .post, headers: jh, body: jb))
            let first = (direct["faces"] as? [[String: Any]])?.first
            XCTAssertEqual(((first?["matches"] as? [[String: Any]])?.first)?["name"] as? String, "obama", "\(direct)")
            XCTAssertEqual(((first?["matches"] as? [[String: Any]])?.first?["probability"] as? NSNumber)?.floatValue,
                           (matches.first?["probability"] as? NSNumber)?.floatValue)

            // Verify: the claimed person, by image and by embedding; an unknown name is 404.
            let (vh, vb) = H.multipart([.text("name", "obama"), .file("image", filename: "b.jpg", b)])
            let verified = H.object(try await client.execute(uri: "/v1/verify", method: .post, headers: vh, body: vb))
            XCTAssertEqual(verified["same"] as? Bool, true, "\(verified)")
            let (wh, wb) = H.multipart([.text("name", "biden"), .file("image", filename: "b.jpg", b)])
            let r3 = try await client.execute(uri: "/v1/verify", method: .post, headers: wh, body: wb)
            XCTAssertEqual(H.object(r3)["same"] as? Bool, false)
            let (uh, ub) = H.multipart([.text("name", "nobody"), .file("image", filename: "b.jpg", b)])
            let unknown = H.assertError(try await client.execute(uri: "/v1/verify", method: .post, headers: uh, body: ub), .notFound, "unknown_person")
            XCTAssertTrue(unknown.contains("nobody"), unknown)
            let (ve, vbody) = try H.json(["name": "obama", "embedding": e])
            let byEmbedding = H.object(try await client.execute(uri: "/v1/verify/embeddings", method: .post, headers: ve, body: vbody))
            XCTAssertEqual((byEmbedding["probability"] as? NSNumber)?.floatValue, (verified["probability"] as? NSNumber)?.floatValue)

            let (th, tb) = H.multipart([.file("image", filename: "b.jpg", b)])
            H.assertError(try await client.execute(uri: "/v1/identify?top=0", method: .post, headers: th, body: tb), .badRequest, "bad_request")
        }
    }
}
