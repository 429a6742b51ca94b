import CTurboJPEG
import Foundation
import TestSupport
import XCTest
@testable import ImageInput

final class JPEGDecoderTests: XCTestCase {
    private var dir: URL!
    override func setUp() { dir = TestPaths.temporaryDirectory("imageinput-jpeg") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    private func expectError(_ bytes: [UInt8], name: String = "photo.jpg", limits: ImageLimits = .default,
                             file: StaticString = #filePath, line: UInt = #line) -> ImageInputError? {
        do {
            _ = try TestImages.decode(bytes, name: name, limits: limits)
            XCTFail("decoded without error", file: file, line: line)
            return nil
        } catch {
            guard let e = error as? ImageInputError else {
                XCTFail("untyped error \(error)", file: file, line: line)
                return nil
            }
            return e
        }
    }

    func testRGBJPEGDecodesCloseToSource() throws {
        let (w, h) = (37, 29)
        let px = TestImages.gradient(width: w, height: h)
        for samp in [pm_tjsamp_444(), pm_tjsamp_420()] {
            let image = try TestImages.decode(TestImages.jpeg(width: w, height: h, pixels: px, subsampling: samp, quality: 95))
            XCTAssertEqual(image.width, w)
            XCTAssertEqual(image.height, h)
            XCTAssertLessThanOrEqual(TestImages.maxDifference(image.pixels, px), 12)
        }
    }

    func testMatchesLibjpegDefaultDecoding() throws {
        // Fixture decoded by libjpeg's plain API with default settings (see Tests/Fixtures/ImageInput/README.md).
        let folder = TestPaths.fixtures.appendingPathComponent("ImageInput")
        let image = try ImageDecoder.decode(contentsOf: folder.appendingPathComponent("face-crop-61x47-420.jpg"))
        let reference = try ImageDecoder.decode(contentsOf: folder.appendingPathComponent("face-crop-61x47-420.libjpeg-default.ppm"))
        XCTAssertEqual(image.width, 61)
        XCTAssertEqual(image.height, 47)
        XCTAssertEqual(image.pixels, reference.pixels, "max difference \(TestImages.maxDifference(image.pixels, reference.pixels))")
    }

    func testGrayJPEGComesOutRGB() throws {
        let gray = (0..<(16 * 8)).map { UInt8($0 * 2) }   // [8, 16]
        let jpeg = TestImages.jpeg(width: 16, height: 8, pixels: gray, pixelFormat: pm_tjpf_gray(),
                                   subsampling: pm_tjsamp_gray(), quality: 100)
        let image = try TestImages.decode(jpeg)
        XCTAssertEqual(image.width, 16)
        for i in 0..<(16 * 8) {
            XCTAssertEqual(image.pixels[3 * i], image.pixels[3 * i + 1])
            XCTAssertEqual(image.pixels[3 * i], image.pixels[3 * i + 2])
        }
        XCTAssertLessThanOrEqual(TestImages.maxDifference(image.grayPixels(), gray), 3)
    }

    func testCMYKJPEGComesOutRGB() throws {
        // TurboJPEG's (Adobe, inverted) convention: r = c·k/255. k = 255 makes (c, m, y) the RGB values.
        let (w, h) = (16, 16)
        var cmyk = [UInt8]()   // [16, 16, 4]
        for _ in 0..<(w * h) { cmyk += [200, 100, 50, 255] }
        let jpeg = TestImages.jpeg(width: w, height: h, pixels: cmyk, pixelFormat: pm_tjpf_cmyk(),
                                   subsampling: pm_tjsamp_444(), quality: 100)
        let image = try TestImages.decode(jpeg)
        XCTAssertEqual(image.width, w)
        let p = image[8, 8]
        XCTAssertLessThanOrEqual(abs(Int(p.r) - 200), 2, "\(p)")
        XCTAssertLessThanOrEqual(abs(Int(p.g) - 100), 2, "\(p)")
        XCTAssertLessThanOrEqual(abs(Int(p.b) - 50), 2, "\(p)")
    }

    func testEXIFOrientation6RotatesClockwise() throws {
        // Stored 32×16, quadrants TL red, TR green, BL blue, BR white (8×8-aligned, 4:4:4, q100: nearly exact).
        let colors = [RGBPixel(r: 255, g: 0, b: 0), RGBPixel(r: 0, g: 255, b: 0),
                      RGBPixel(r: 0, g: 0, b: 255), RGBPixel(r: 255, g: 255, b: 255)]
        let stored = TestImages.jpeg(width: 32, height: 16, pixels: TestImages.quadrants(width: 32, height: 16, colors: colors),
                                     subsampling: pm_tjsamp_444(), quality: 100)
        for little in [true, false] {
            let jpeg = TestImages.inserting(TestImages.exifSegment(orientation: 6, littleEndian: little), into: stored)
            let url = try TestImages.write(jpeg, "rotated.jpg", in: dir)
            let image = try ImageDecoder.decode(contentsOf: url)
            XCTAssertEqual(image.width, 16)
            XCTAssertEqual(image.height, 32)
            // 90° clockwise: display top-left = stored bottom-left (blue), top-right = stored top-left (red),
            // bottom-left = stored bottom-right (white), bottom-right = stored top-right (green).
            func near(_ p: RGBPixel, _ q: RGBPixel) -> Bool {
                abs(Int(p.r) - Int(q.r)) <= 8 && abs(Int(p.g) - Int(q.g)) <= 8 && abs(Int(p.b) - Int(q.b)) <= 8
            }
            XCTAssertTrue(near(image[3, 3], colors[2]), "\(image[3, 3])")
            XCTAssertTrue(near(image[12, 3], colors[0]), "\(image[12, 3])")
            XCTAssertTrue(near(image[3, 28], colors[3]), "\(image[3, 28])")
            XCTAssertTrue(near(image[12, 28], colors[1]), "\(image[12, 28])")
            // Opting out leaves the stored layout.
            let raw = try ImageDecoder.decode(contentsOf: url, applyOrientation: false)
            XCTAssertEqual(raw.width, 32)
            XCTAssertEqual(raw.height, 16)
            XCTAssertTrue(near(raw[3, 3], colors[0]), "\(raw[3, 3])")
        }
    }

    func testTruncatedJPEGIsTruncated() throws {
        // 128×96 noisy gradient: the scan data is most of the file, so the cuts below land inside it.
        var px = TestImages.gradient(width: 128, height: 96)
        for i in px.indices { px[i] = px[i] &+ UInt8(truncatingIfNeeded: (i &* 2_654_435_761) >> 13) }
        let jpeg = TestImages.jpeg(width: 128, height: 96, pixels: px)
        XCTAssertGreaterThan(jpeg.count, 2000)
        for cut in [jpeg.count / 2, jpeg.count - 2] {
            guard let e = expectError(Array(jpeg.prefix(cut))) else { continue }
            guard case .truncated(let file, .jpeg, let detail) = e else { return XCTFail("cut \(cut): \(e)") }
            XCTAssertEqual(file, "photo.jpg")
            XCTAssertTrue(detail.contains("Premature end"), detail)
            XCTAssertTrue(e.description.hasPrefix("photo.jpg: truncated JPEG data ("), e.description)
        }
        // Cuts inside the header (before the scan): inside the tables and right after a segment.
        for cut in [100, 400, 20] {
            guard let e = expectError(Array(jpeg.prefix(cut))) else { continue }
            guard case .truncated(_, .jpeg, _) = e else { XCTFail("header cut \(cut): \(e)"); continue }
        }
    }

    func testGarbageAfterSOIIsCorrupt() throws {
        var bytes: [UInt8] = [0xFF, 0xD8, 0xFF]
        for i in 0..<200 { bytes.append(UInt8((i * 73 + 11) & 0xFF)) }
        bytes += [0xFF, 0xD9]
        guard let e = expectError(bytes) else { return }
        guard case .corrupt(let file, .jpeg, let detail) = e else { return XCTFail("\(e)") }
        XCTAssertEqual(file, "photo.jpg")
        XCTAssertFalse(detail.isEmpty)
    }

    func testCorruptEntropyDataIsAnError() throws {
        let px = TestImages.gradient(width: 64, height: 64)
        var jpeg = TestImages.jpeg(width: 64, height: 64, pixels: px)
        // Insert a stray restart marker in the middle of the scan data: libjpeg warns (corrupt data).
        jpeg.insert(contentsOf: [0xFF, 0xD3], at: jpeg.count - 40)
        guard let e = expectError(jpeg) else { return }
        switch e {
        case .corrupt(_, .jpeg, _), .truncated(_, .jpeg, _): break
        default: XCTFail("\(e)")
        }
    }

    func testHugeHeaderIsTooLargeWithoutDecoding() throws {
        // JPEG sizes are 16-bit (≤ 65500 in libjpeg): 60000×60000 = 3.6e9 pixels ≫ 50e6.
        let jpeg = TestImages.patchingSOF(TestImages.jpeg(width: 16, height: 16, pixels: TestImages.gradient(width: 16, height: 16)),
                                          width: 60000, height: 60000)
        XCTAssertEqual(expectError(jpeg), .tooLarge(file: "photo.jpg", width: 60000, height: 60000, maxPixels: 50_000_000))
    }

    func testLFWAndExampleJPEGsDecode() throws {
        guard let shared = TestPaths.shared else {
            throw XCTSkip(TestPaths.skipReason("JPEGDecoderTests.testLFWAndExampleJPEGsDecode: shared data folder absent"))
        }
        let lfw = shared.appendingPathComponent("data/lfw-view1")
        let people = (try? FileManager.default.contentsOfDirectory(atPath: lfw.path).sorted()) ?? []
        guard !people.isEmpty else {
            throw XCTSkip(TestPaths.skipReason("JPEGDecoderTests.testLFWAndExampleJPEGsDecode: \(lfw.path) empty"))
        }
        var decoded = 0
        for person in people.prefix(40) {
            let folder = lfw.appendingPathComponent(person)
            for name in (try FileManager.default.contentsOfDirectory(atPath: folder.path)).sorted() where name.hasSuffix(".jpg") {
                let image = try ImageDecoder.decode(contentsOf: folder.appendingPathComponent(name))
                XCTAssertEqual(image.width, 250, name)
                XCTAssertEqual(image.height, 250, name)
                decoded += 1
            }
        }
        XCTAssertGreaterThan(decoded, 0)

        let misc = shared.appendingPathComponent("data/examples/misc")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: misc.path)) ?? []).filter { $0.hasSuffix(".jpg") }
        if names.isEmpty { TestPaths.skipReason("JPEGDecoderTests: no JPEGs in \(misc.path)") }
        for name in names {
            let image = try ImageDecoder.decode(contentsOf: misc.appendingPathComponent(name))
            XCTAssertGreaterThan(image.width, 0, name)
            XCTAssertEqual(image.pixels.count, image.width * image.height * 3, name)
        }
    }
}
