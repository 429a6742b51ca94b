import Foundation
import TestSupport
import XCTest
@testable import ImageInput

/// File-level failures and format detection, independent of any one decoder.
final class ImageDecoderTests: XCTestCase {
    private var dir: URL!

    override func setUp() { dir = TestPaths.temporaryDirectory("imageinput") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    private func decodeError(_ url: URL, limits: ImageLimits = .default) -> ImageInputError? {
        do {
            _ = try ImageDecoder.decode(contentsOf: url, limits: limits)
            return nil
        } catch {
            return error as? ImageInputError
        }
    }

    func testMissingFile() {
        let url = dir.appendingPathComponent("nope.jpg")
        XCTAssertEqual(decodeError(url), .missingFile(file: url.relativePath))
        XCTAssertEqual(decodeError(dir.appendingPathComponent("no/such/dir.png")),
                       .missingFile(file: dir.appendingPathComponent("no/such/dir.png").relativePath))
    }

    func testDirectory() throws {
        let sub = dir.appendingPathComponent("photo.jpg")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        XCTAssertEqual(decodeError(sub), .isDirectory(file: sub.relativePath))
    }

    func testEmptyFile() throws {
        let url = try TestImages.write([], "empty.png", in: dir)
        XCTAssertEqual(decodeError(url), .empty(file: url.relativePath))
        XCTAssertThrowsError(try ImageDecoder.decode(data: Data(), name: "mem")) {
            XCTAssertEqual($0 as? ImageInputError, .empty(file: "mem"))
        }
    }

    func testTextRenamedJPEGIsNotAnImage() throws {
        let url = try TestImages.write(Array("hello, I am not a photo\n".utf8), "photo.jpg", in: dir)
        XCTAssertEqual(decodeError(url), .notAnImage(file: url.relativePath))
        // A single byte too.
        XCTAssertEqual(decodeError(try TestImages.write([0xFF], "one.jpg", in: dir)),
                       .notAnImage(file: dir.appendingPathComponent("one.jpg").relativePath))
    }

    func testUnreadableFile() throws {
        if getuid() == 0 {
            throw XCTSkip(TestPaths.skipReason("ImageDecoderTests.testUnreadableFile: running as root, which can read any file"))
        }
        let url = try TestImages.write(TestImages.jpeg(width: 8, height: 8, pixels: TestImages.gradient(width: 8, height: 8)),
                                       "secret.jpg", in: dir)
        chmod(url.path, 0)
        defer { chmod(url.path, 0o644) }
        guard case .unreadable(let file, let reason)? = decodeError(url) else {
            return XCTFail("expected .unreadable, got \(String(describing: decodeError(url)))")
        }
        XCTAssertEqual(file, url.relativePath)
        XCTAssertTrue(reason.lowercased().contains("permission"), reason)
    }

    func testRecognisedButUnsupportedFormats() throws {
        let cases: [([UInt8], String)] = [
            (Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0, 0], "GIF"),
            (Array("BM".utf8) + [UInt8](repeating: 0, count: 52), "BMP"),
            (Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBPVP8 ".utf8), "WebP"),
            ([0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0], "TIFF"),
            (Array("P4\n8 8\n".utf8) + [UInt8](repeating: 0, count: 8), "PBM"),
            (Array("P1\n2 2\n0 1 1 0\n".utf8), "PBM"),
            ([0, 0, 0, 0x1C] + Array("ftypheic".utf8) + [0, 0, 0, 0], "HEIF"),
        ]
        for (bytes, what) in cases {
            XCTAssertThrowsError(try TestImages.decode(bytes, name: "x.jpg")) { error in
                guard case .unsupportedFormat(let file, let w)? = error as? ImageInputError else {
                    return XCTFail("\(what): expected .unsupportedFormat, got \(error)")
                }
                XCTAssertEqual(file, "x.jpg")
                XCTAssertTrue(w.contains(what), "\(w) should name \(what)")
            }
        }
    }

    func testFormatIsDetectedByMagicNotExtension() throws {
        let px = TestImages.gradient(width: 8, height: 8)
        let jpeg = TestImages.jpeg(width: 8, height: 8, pixels: px)
        let png = try RGBImage(width: 8, height: 8, pixels: px).pngData()
        XCTAssertEqual(ImageDecoder.format(of: Data(jpeg)), .jpeg)
        XCTAssertEqual(ImageDecoder.format(of: png), .png)
        XCTAssertEqual(ImageDecoder.format(of: Data("P5 1 1 255 x".utf8)), .pgm)
        XCTAssertEqual(ImageDecoder.format(of: Data("P3\n".utf8)), .ppm)
        XCTAssertNil(ImageDecoder.format(of: Data("GIF89a".utf8)))
        // A PNG named .jpg and a JPEG named .png decode by content.
        let a = try ImageDecoder.decode(contentsOf: TestImages.write(Array(png), "really-png.jpg", in: dir))
        let b = try ImageDecoder.decode(contentsOf: TestImages.write(jpeg, "really-jpeg.png", in: dir))
        XCTAssertEqual(a.pixels, px)
        XCTAssertEqual(b.width, 8)
    }

    func testLimitsAreChecked() throws {
        let px = TestImages.gradient(width: 20, height: 10)
        let url = try TestImages.write(TestImages.jpeg(width: 20, height: 10, pixels: px), "small.jpg", in: dir)
        XCTAssertEqual(decodeError(url, limits: ImageLimits(maxPixels: 199)),
                       .tooLarge(file: url.relativePath, width: 20, height: 10, maxPixels: 199))
        XCTAssertNil(decodeError(url, limits: ImageLimits(maxPixels: 200)))
        XCTAssertEqual(ImageLimits.default.maxPixels, 50_000_000)
    }

    func testDescriptionsAreOneLineNamingTheFile() {
        let errors: [ImageInputError] = [
            .missingFile(file: "a.jpg"), .isDirectory(file: "a.jpg"), .unreadable(file: "a.jpg", reason: "Permission denied"),
            .empty(file: "a.jpg"), .notAnImage(file: "a.jpg"), .unsupportedFormat(file: "a.jpg", what: "GIF"),
            .truncated(file: "a.jpg", format: .jpeg, detail: "Premature end of JPEG file"),
            .corrupt(file: "a.jpg", format: .png, detail: "IDAT: CRC error"),
            .tooLarge(file: "a.jpg", width: 100000, height: 100000, maxPixels: 50_000_000),
            .writeFailed(file: "a.jpg", reason: "No space left on device"),
        ]
        for e in errors {
            XCTAssertTrue(e.description.hasPrefix("a.jpg: "), e.description)
            XCTAssertFalse(e.description.contains("\n"), e.description)
        }
        XCTAssertEqual(ImageInputError.truncated(file: "photo.jpg", format: .jpeg, detail: "Premature end of JPEG file").description,
                       "photo.jpg: truncated JPEG data (Premature end of JPEG file)")
        XCTAssertTrue(errors[8].description.contains("100000x100000"), errors[8].description)
    }
}
