import Foundation
import ImageInput
import TestSupport
import Workflows
import XCTest

/// Uploads and files decode alike; bad bytes are typed failures naming the field.
final class ImageSourceTests: XCTestCase {
    let photo = TestPaths.repositoryRoot.appendingPathComponent("Data/samples/obama.jpg")

    func testUploadDecodesLikeTheFile() throws {
        let bytes = try Data(contentsOf: photo)
        let fromFile = try ImageSource.file(photo.path).decode(limits: .default)
        let fromUpload = try ImageSource.upload(field: "a", name: "obama.jpg", bytes: bytes).decode(limits: .default)
        XCTAssertEqual(fromFile.width, fromUpload.width)
        XCTAssertEqual(fromFile.pixels, fromUpload.pixels)
        XCTAssertEqual(ImageSource.upload(field: "a", name: "obama.jpg", bytes: bytes).label, "a (obama.jpg)")
        XCTAssertEqual(ImageSource.upload(field: "a", name: nil, bytes: bytes).path, "a")
    }

    func testBadUploadsAreTypedAndNameTheField() throws {
        func failure(_ s: ImageSource, _ limits: ImageLimits = .default) -> WorkflowError? {
            do { _ = try s.decode(limits: limits); return nil } catch { return error }
        }
        let text = failure(.upload(field: "b", name: "notes.txt", bytes: Data("hello, not an image".utf8)))
        XCTAssertEqual(text?.kind, .notAnImage)
        XCTAssertEqual(text?.input, "b")
        XCTAssertTrue(text?.message.hasPrefix("b (notes.txt):") == true, text?.message ?? "")
        XCTAssertEqual(failure(.upload(field: "b", name: nil, bytes: Data()))?.kind, .notAnImage)
        let bytes = try Data(contentsOf: photo)
        XCTAssertEqual(failure(.upload(field: "image", name: nil, bytes: bytes), ImageLimits(maxPixels: 100))?.kind, .tooLarge)
        XCTAssertEqual(failure(.upload(field: "image", name: nil, bytes: bytes), ImageLimits(maxBytes: 100))?.kind, .tooLarge)
        XCTAssertEqual(failure(.upload(field: "image", name: nil, bytes: bytes.prefix(2000)))?.kind, .notAnImage)
        XCTAssertEqual(failure(.file("/nonexistent/x.jpg"))?.kind, .badInput)
    }
}
