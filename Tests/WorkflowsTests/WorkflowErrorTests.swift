import FaceAnalysis
import Gallery
import GalleryStore
import ImageInput
import Workflows
import XCTest

/// Every kind maps to one exit code, one HTTP status and one code; bad input is never a 5xx.
final class WorkflowErrorTests: XCTestCase {
    func testEveryKindHasItsExitCodeStatusAndCode() {
        let expected: [WorkflowError.Kind: (Int32, Int, String)] = [
            .badInput: (2, 400, "bad_request"), .usage: (64, 400, "bad_request"), .notAnImage: (2, 415, "not_an_image"),
            .tooLarge: (2, 413, "too_large"), .noFace: (2, 422, "no_face"), .unknownPerson: (2, 404, "unknown_person"),
            .conflict: (2, 409, "conflict"), .model: (3, 500, "model_error"), .gallery: (3, 500, "gallery_error"), .partial: (1, 500, "partial"),
            .unavailable: (3, 503, "gallery_unavailable"),
        ]
        XCTAssertEqual(Set(expected.keys), Set(WorkflowError.Kind.allCases))
        for kind in WorkflowError.Kind.allCases {
            let e = WorkflowError(kind, "x: y")
            XCTAssertEqual(e.exitCode, expected[kind]!.0, "\(kind)")
            XCTAssertEqual(e.httpStatus, expected[kind]!.1, "\(kind)")
            XCTAssertEqual(e.code, expected[kind]!.2, "\(kind)")
            if [.badInput, .usage, .notAnImage, .tooLarge, .noFace, .unknownPerson, .conflict].contains(kind) {
                XCTAssertLessThan(e.httpStatus, 500, "bad input of kind \(kind) must not be a server error")
            }
        }
    }

    func testImageFailuresMapByReasonNotByText() {
        XCTAssertEqual(WorkflowError.image(ImageFailure("p: whatever", reason: .noFace), input: "b").kind, .noFace)
        XCTAssertEqual(WorkflowError.image(ImageFailure("p", reason: .noSuchFace(index: 2, found: 1))).kind, .noFace)
        XCTAssertEqual(WorkflowError.image(ImageFailure("p", reason: .image(.notAnImage(file: "p")))).kind, .notAnImage)
        XCTAssertEqual(WorkflowError.image(ImageFailure("p", reason: .image(.tooLarge(file: "p", width: 9, height: 9, maxPixels: 1)))).kind, .tooLarge)
        XCTAssertEqual(WorkflowError.image(ImageFailure("p", reason: .image(.fileTooLarge(file: "p", bytes: 9, limit: 1)))).kind, .tooLarge)
        XCTAssertEqual(WorkflowError.image(ImageFailure("p", reason: .image(.missingFile(file: "p")))).kind, .badInput)
        XCTAssertEqual(WorkflowError.image(ImageFailure("p", reason: .analysis(.missingModel("the encoder")))).kind, .model)
        XCTAssertEqual(WorkflowError.image(ImageFailure("p: no face found", reason: .noFace), input: "b").input, "b")
    }

    func testGalleryRefusalsAreTheCallersUnlessTheFileIsBad() {
        XCTAssertEqual(WorkflowError.gallery(GalleryError.invalidName(name: "", reason: "empty")).kind, .badInput)
        XCTAssertEqual(WorkflowError.gallery(GalleryError.unknownIdentity(name: "x")).kind, .unknownPerson)
        XCTAssertEqual(WorkflowError.gallery(GalleryError.alreadyEnrolled(name: "x")).kind, .conflict)
        XCTAssertEqual(WorkflowError.gallery(GalleryError.corrupt(path: "g.h5", reason: "r")).kind, .gallery)
        XCTAssertEqual(WorkflowError.gallery(GalleryError.encoderMismatch(path: "g", gallery: "a", expected: "b")).kind, .gallery)
        struct Other: Error {}
        XCTAssertEqual(WorkflowError.gallery(Other()).kind, .gallery)
        // A database server that cannot be reached is a 503 the client may retry; a damaged or locked store is not.
        XCTAssertEqual(WorkflowError.gallery(GalleryStoreError.unavailable(location: "postgres://u@h:1/d", reason: "connection refused")).kind, .unavailable)
        XCTAssertEqual(WorkflowError.gallery(GalleryStoreError.corrupt(location: "people.db", reason: "r")).kind, .gallery)
        XCTAssertEqual(WorkflowError.gallery(GalleryStoreError.busy(location: "people.db", waited: 5)).kind, .gallery)
    }
}
