import Foundation
import GalleryStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ImageInput
import NIOCore
@testable import PairmatchServer
import TestSupport
import Workflows
import XCTest

/// Enrol, list, get and delete over HTTP: writes need the key, each is committed to the gallery store before it is
/// answered, and refusals leave the gallery as it was.
final class RoutesPeopleTests: XCTestCase {
    typealias H = ServerHarness

    func testEnrolListGetDeleteAreCommittedToTheStore() async throws {
        let models = try H.models()
        let (state, folder) = try H.state(models: models)
        let location = state.configuration.galleryLocation
        let fingerprint = try models.requireEncoder().fingerprint
        let a = try H.sample("obama.jpg"), b = try H.sample("obama2.jpg")
        try await H.test(state, folder: folder) { client in
            let (h, body) = H.multipart([.text("name", "obama"), .text("metadata", "{\"badge\": 7}"), .file("image", filename: "a.jpg", a)])
            let created = try await client.execute(uri: "/v1/people", method: .post, headers: H.authorized(h), body: body)
            XCTAssertEqual(created.status, .created)
            let c = H.object(created)
            XCTAssertEqual(c["name"] as? String, "obama")
            XCTAssertEqual(c["outcome"] as? String, "added")
            XCTAssertEqual(c["embeddings"] as? Int, 1)
            // Committed before the answer: another reader of the store sees it.
            let stored = try GalleryStores.open(location).load(expectingEncoder: fingerprint, dimension: 128)
            XCTAssertEqual(stored.identities.map(\.name), ["obama"])
            XCTAssertEqual(stored.identities.first?.metadata, "{\"badge\": 7}")
            let got = try await client.execute(uri: "/v1/people/obama", method: .get)
            XCTAssertEqual(H.object(got)["metadata"] as? String, "{\"badge\": 7}")

            // JSON with an `images` array extends the person; `replace` replaces.
            let (jh, jb) = try H.json(["name": "obama", "images": [b.base64EncodedString(), a.base64EncodedString()]])
            let extended = H.object(try await client.execute(uri: "/v1/people", method: .post, headers: H.authorized(jh), body: jb))
            XCTAssertEqual(extended["outcome"] as? String, "extended")
            XCTAssertEqual(extended["embeddings"] as? Int, 3)
            let kept = try await client.execute(uri: "/v1/people/obama", method: .get)
            XCTAssertEqual(H.object(kept)["metadata"] as? String, "{\"badge\": 7}", "extending without metadata keeps it")
            let (rh, rb) = try H.json(["name": "obama", "images": [b.base64EncodedString()], "replace": true])
            let replaced = H.object(try await client.execute(uri: "/v1/people", method: .post, headers: H.authorized(rh), body: rb))
            XCTAssertEqual(replaced["outcome"] as? String, "replaced")
            XCTAssertEqual(replaced["embeddings"] as? Int, 1)

            let list = H.object(try await client.execute(uri: "/v1/people", method: .get))
            XCTAssertEqual(list["count"] as? Int, 1)
            let person = (list["people"] as? [[String: Any]])?.first
            XCTAssertEqual(person?["name"] as? String, "obama")
            XCTAssertEqual(person?["embeddings"] as? Int, 1)
            let one = try await client.execute(uri: "/v1/people/obama", method: .get)
            XCTAssertEqual(one.status, .ok)
            XCTAssertEqual(H.object(one)["embeddings"] as? Int, 1)

            // Delete: 200, then 404 for get and delete; the store agrees.
            let deleted = try await client.execute(uri: "/v1/people/obama", method: .delete, headers: H.authorized([:]))
            XCTAssertEqual(deleted.status, .ok)
            XCTAssertEqual(H.object(deleted)["deleted"] as? Bool, true)
            H.assertError(try await client.execute(uri: "/v1/people/obama", method: .get), .notFound, "unknown_person")
            H.assertError(try await client.execute(uri: "/v1/people/obama", method: .delete, headers: H.authorized([:])), .notFound, "unknown_person")
            XCTAssertEqual(try GalleryStores.open(location).load(expectingEncoder: fingerprint, dimension: 128).count, 0)
        }
    }

    func testWritesNeedAValidKeyAndRefusalsChangeNothing() async throws {
        let models = try H.models()
        let (state, folder) = try H.state(models: models)
        let a = try H.sample("obama.jpg")
        try await H.test(state, folder: folder) { client in
            let (h, body) = H.multipart([.text("name", "ann"), .file("image", filename: "a.jpg", a)])
            let missing = try await client.execute(uri: "/v1/people", method: .post, headers: h, body: body)
            H.assertError(missing, .unauthorized, "unauthorized")
            XCTAssertEqual(missing.headers[.wwwAuthenticate], "Bearer realm=\"pairmatch\"")
            var wrong = h
            wrong[.authorization] = "Bearer not-the-key"
            let message = H.assertError(try await client.execute(uri: "/v1/people", method: .post, headers: wrong, body: body), .unauthorized, "unauthorized")
            XCTAssertFalse(message.contains("not-the-key") || message.contains(H.key), "keys never echoed")
            var other = h
            other[RouteTable.apiKeyField] = H.key + "x"
            H.assertError(try await client.execute(uri: "/v1/people", method: .post, headers: other, body: body), .unauthorized, "unauthorized")
            H.assertError(try await client.execute(uri: "/v1/people/ann", method: .delete), .unauthorized, "unauthorized")
            XCTAssertEqual(state.gallery?.count, 0)

            // An image without a face: 422 naming it, nobody enrolled (not even from the good image beside it).
            let blank = try RGBImageFixtures.blankPNG()
            let (nh, nb) = H.multipart([.text("name", "ann"), .file("image", filename: "a.jpg", a), .file("image", filename: "wall.png", blank)])
            let noFace = H.assertError(try await client.execute(uri: "/v1/people", method: .post, headers: H.authorized(nh), body: nb),
                                       .unprocessableContent, "no_face")
            XCTAssertTrue(noFace.contains("wall.png"), noFace)
            // A bad name: 400.
            let (bh, bb) = H.multipart([.text("name", "  "), .file("image", filename: "a.jpg", a)])
            H.assertError(try await client.execute(uri: "/v1/people", method: .post, headers: H.authorized(bh), body: bb), .badRequest, "bad_request")
            // No image at all: 400 naming the field.
            let (eh, eb) = H.multipart([.text("name", "ann")])
            let noImage = H.assertError(try await client.execute(uri: "/v1/people", method: .post, headers: H.authorized(eh), body: eb),
                                        .badRequest, "bad_request")
            XCTAssertTrue(noImage.contains("image"), noImage)
            XCTAssertEqual(state.gallery?.count, 0)
        }
    }

    func testAServerWithoutKeysRefusesEveryWrite() async throws {
        let models = try H.models()
        let (state, folder) = try H.state(models: models) { $0.apiKeys = APIKeys() }
        try await H.test(state, folder: folder) { client in
            let (h, body) = H.multipart([.text("name", "ann"), .file("image", filename: "a.jpg", try H.sample("obama.jpg"))])
            let message = H.assertError(try await client.execute(uri: "/v1/people", method: .post, headers: H.authorized(h), body: body),
                                        .unauthorized, "unauthorized")
            XCTAssertTrue(message.contains("--api-key-file"), message)
            let r0 = try await client.execute(uri: "/v1/people", method: .get)
            XCTAssertEqual(r0.status, .ok, "reads stay open")
        }
    }
}

/// Images made for the tests.
enum RGBImageFixtures {
    /// A 200×200 flat grey PNG: a valid image with no face in it.
    static func blankPNG() throws -> Data {
        try RGBImage(width: 200, height: 200, fill: RGBPixel(r: 128, g: 128, b: 128)).pngData()
    }
}
