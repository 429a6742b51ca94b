import FaceAnalysis
import FaceEmbedding
import Foundation
import Gallery
import TestSupport
import Workflows
import XCTest

/// Identify and verify on the sample photos against an in-memory gallery.
final class IdentifyWorkflowTests: XCTestCase {
    func testIdentifyAndVerifyTheSamplePeople() throws {
        let models = try CompareWorkflowTests.loadModels()
        let samples = CompareWorkflowTests.samples
        let encoder = try XCTUnwrap(models.encoder)
        let settings = FaceSettings()
        var gallery = FaceGallery.create(encoderFingerprint: encoder.fingerprint, dimension: encoder.embeddingDimension)
        let obama = try FacePicker.face(in: .file(samples.appendingPathComponent("obama.jpg").path), models: models, settings: settings)
        try gallery.enroll(name: "obama", embeddings: [obama.embedding])

        let found = try IdentifyWorkflow.identify(.file(samples.appendingPathComponent("obama2.jpg").path), topK: 3, gallery: gallery,
                                                  models: models, settings: settings)
        XCTAssertEqual(found.faces.count, 1)
        XCTAssertEqual(found.faces[0].result.decision, "obama")
        let other = try IdentifyWorkflow.identify(.file(samples.appendingPathComponent("biden.jpg").path), topK: 3, gallery: gallery,
                                                  models: models, settings: settings)
        XCTAssertNil(other.faces.first?.result.decision, "biden is not enrolled")
        XCTAssertTrue(other.json().text.contains("\"decision\":\"unknown\""))
        XCTAssertTrue(found.json(size: true).text.contains("\"width\":"))

        // Embeddings given directly reach the same decision.
        let query = try FacePicker.face(in: .file(samples.appendingPathComponent("obama2.jpg").path), models: models, settings: settings)
        let direct = try IdentifyWorkflow.identify(embeddings: [query.embedding], topK: 1, gallery: gallery, models: models)
        XCTAssertEqual(direct.faces[0].result.best?.probability, found.faces[0].result.best?.probability)

        let yes = try IdentifyWorkflow.verify(.file(samples.appendingPathComponent("obama2.jpg").path), name: "obama", gallery: gallery,
                                              models: models, settings: settings)
        XCTAssertTrue(yes.match.isAccepted)
        XCTAssertEqual(try IdentifyWorkflow.verify(embedding: query.embedding, name: "obama", gallery: gallery, models: models).match, yes.match)
        do {
            _ = try IdentifyWorkflow.verify(embedding: query.embedding, name: "nobody", gallery: gallery, models: models)
            XCTFail("an unknown name must be refused")
        } catch {
            XCTAssertEqual(error.kind, .unknownPerson)
        }
        do {
            _ = try IdentifyWorkflow.identify(embeddings: [query.embedding], topK: 0, gallery: gallery, models: models)
            XCTFail("top 0 must be refused")
        } catch {
            XCTAssertEqual(error.kind, .badInput)
        }
        // Nobody enrolled: every face is unknown, not an error.
        let empty = FaceGallery.create(encoderFingerprint: encoder.fingerprint, dimension: encoder.embeddingDimension)
        let none = try IdentifyWorkflow.identify(embeddings: [query.embedding], topK: 1, gallery: empty, models: models)
        XCTAssertEqual(none.faces.count, 1)
        XCTAssertNil(none.faces[0].result.decision)
        XCTAssertTrue(none.faces[0].result.matches.isEmpty)
    }
}
