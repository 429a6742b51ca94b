import Foundation
import Gallery
import ImageInput
import TestSupport
import Workflows
import XCTest

/// Enrolment from photos: all photos give a face or nothing is enrolled; the people listing follows.
final class EnrolWorkflowTests: XCTestCase {
    func testEnrolListAndRefuse() throws {
        let models = try CompareWorkflowTests.loadModels()
        let encoder = try XCTUnwrap(models.encoder)
        let dir = TestPaths.temporaryDirectory("enrol-workflow")
        defer { try? FileManager.default.removeItem(at: dir) }
        let live = try LiveGallery.open(dir.appendingPathComponent("people.db").path, encoderFingerprint: encoder.fingerprint,
                                        dimension: encoder.embeddingDimension)
        let samples = CompareWorkflowTests.samples
        let obama = try Data(contentsOf: samples.appendingPathComponent("obama.jpg"))
        let grey = try RGBImage(width: 120, height: 120, pixels: [UInt8](repeating: 90, count: 120 * 120 * 3)).pngData()

        do {
            _ = try EnrolWorkflow.enroll(name: "obama", images: [.upload(field: "image", name: "o.jpg", bytes: obama),
                                                                 .upload(field: "image", name: "grey.png", bytes: grey)],
                                         metadata: nil, into: live, models: models, settings: FaceSettings())
            XCTFail("a photo without a face must refuse the enrolment")
        } catch {
            XCTAssertEqual(error.kind, .noFace)
            XCTAssertEqual(error.message, "image (grey.png): no face found")
        }
        XCTAssertEqual(live.count, 0, "nothing enrolled when one photo fails")
        XCTAssertThrowsError(try EnrolWorkflow.enroll(name: "\n", images: [.upload(field: "image", name: nil, bytes: obama)], metadata: nil,
                                                      into: live, models: models, settings: FaceSettings())) { e in
            XCTAssertEqual((e as? WorkflowError)?.kind, .badInput)
        }

        let done = try EnrolWorkflow.enroll(name: "obama", images: [.upload(field: "image", name: "o.jpg", bytes: obama),
                                                                    .file(samples.appendingPathComponent("obama2.jpg").path)],
                                            metadata: "{\"team\":1}", into: live, models: models, settings: FaceSettings())
        XCTAssertEqual(done.outcome, .added(embeddings: 2))
        XCTAssertTrue(done.json().text.hasPrefix(#"{"name":"obama","outcome":"added","embeddings":2,"photos":[{"path":"o.jpg","faces_found":1,"box":["#),
                      done.json().text)
        XCTAssertEqual(try PeopleWorkflow.list(live).text, #"{"count":1,"people":[{"name":"obama","embeddings":2,"metadata":"{\"team\":1}"}]}"#)
        XCTAssertEqual(try PeopleWorkflow.person("obama", in: live).text, #"{"name":"obama","embeddings":2,"metadata":"{\"team\":1}"}"#)
        XCTAssertThrowsError(try PeopleWorkflow.person("biden", in: live)) { e in XCTAssertEqual((e as? WorkflowError)?.kind, .unknownPerson) }

        // The enrolled person is identified.
        let found = try live.read { g throws(WorkflowError) in
            try IdentifyWorkflow.identify(.file(samples.appendingPathComponent("obama2.jpg").path), topK: 1, gallery: g, models: models,
                                          settings: FaceSettings())
        }
        XCTAssertEqual(found.faces.first?.result.decision, "obama")
    }
}
