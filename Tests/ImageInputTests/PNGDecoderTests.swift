import Foundation
import TestSupport
import XCTest
@testable import ImageInput

final class PNGDecoderTests: XCTestCase {
    private func expectError(_ bytes: [UInt8], name: String = "chip.png",
                             file: StaticString = #filePath, line: UInt = #line) -> ImageInputError? {
        do {
            _ = try TestImages.decode(bytes, name: name)
            XCTFail("decoded without error", file: file, line: line)
            return nil
        } catch {
            return error as? ImageInputError
        }
    }

    func testRGB8RoundTripsExactly() throws {
        let px = TestImages.gradient(width: 13, height: 7)
        let png = TestImages.png(width: 13, height: 7, bitDepth: 8, colorType: 2,
                                 rows: (0..<7).map { Array(px[($0 * 39)..<(($0 + 1) * 39)]) })
        let image = try TestImages.decode(png)
        XCTAssertEqual(image.width, 13)
        XCTAssertEqual(image.height, 7)
        XCTAssertEqual(image.pixels, px)
    }

    func testGray8AndGray1() throws {
        let g8 = try TestImages.decode(TestImages.png(width: 3, height: 1, bitDepth: 8, colorType: 0, rows: [[0, 128, 255]]))
        XCTAssertEqual(g8.pixels, [0, 0, 0, 128, 128, 128, 255, 255, 255])
        // 1-bit gray: bits 1 0 1 (MSB first) → 255 0 255.
        let g1 = try TestImages.decode(TestImages.png(width: 3, height: 1, bitDepth: 1, colorType: 0, rows: [[0b1010_0000]]))
        XCTAssertEqual(g1.pixels, [255, 255, 255, 0, 0, 0, 255, 255, 255])
    }

    func testPaletteAndPaletteWithTransparencyDropsAlpha() throws {
        let palette: [UInt8] = [255, 0, 0, 0, 255, 0, 10, 20, 30]
        let rows: [[UInt8]] = [[0, 1, 2]]
        let plain = try TestImages.decode(TestImages.png(width: 3, height: 1, bitDepth: 8, colorType: 3, rows: rows, palette: palette))
        XCTAssertEqual(plain.pixels, palette)
        // tRNS: entry 0 fully transparent, entry 2 half: colours stay (alpha dropped, not composited on black).
        let trns = try TestImages.decode(TestImages.png(width: 3, height: 1, bitDepth: 8, colorType: 3, rows: rows,
                                                        palette: palette, trns: [0, 255, 128]))
        XCTAssertEqual(trns.pixels, palette)
        // 4-bit palette.
        let p4 = try TestImages.decode(TestImages.png(width: 2, height: 1, bitDepth: 4, colorType: 3, rows: [[0x21]], palette: palette))
        XCTAssertEqual(p4.pixels, [10, 20, 30, 0, 255, 0])
    }

    func testRGBAAndGrayAlphaDropAlpha() throws {
        let rgba = try TestImages.decode(TestImages.png(width: 2, height: 1, bitDepth: 8, colorType: 6,
                                                        rows: [[200, 100, 50, 0, 1, 2, 3, 128]]))
        XCTAssertEqual(rgba.pixels, [200, 100, 50, 1, 2, 3])
        let ga = try TestImages.decode(TestImages.png(width: 2, height: 1, bitDepth: 8, colorType: 4, rows: [[90, 0, 180, 255]]))
        XCTAssertEqual(ga.pixels, [90, 90, 90, 180, 180, 180])
    }

    func testSixteenBitIsScaledWithoutGamma() throws {
        // 16-bit RGB, no gAMA: samples are sRGB-encoded; 0x8080 → 128, 0xFFFF → 255, 0 → 0.
        let rgb16 = try TestImages.decode(TestImages.png(width: 1, height: 1, bitDepth: 16, colorType: 2,
                                                         rows: [[0x80, 0x80, 0xFF, 0xFF, 0x00, 0x00]]))
        XCTAssertEqual(rgb16.pixels, [128, 255, 0])
        let g16 = try TestImages.decode(TestImages.png(width: 2, height: 1, bitDepth: 16, colorType: 0,
                                                       rows: [[0x40, 0x40, 0xC0, 0xC0]]))
        XCTAssertEqual(g16.pixels, [64, 64, 64, 192, 192, 192])
        let rgba16 = try TestImages.decode(TestImages.png(width: 1, height: 1, bitDepth: 16, colorType: 6,
                                                          rows: [[0x80, 0x80, 0x10, 0x10, 0xFF, 0xFF, 0x00, 0x00]]))
        XCTAssertEqual(rgba16.pixels, [128, 16, 255])   // alpha 0 dropped, colour kept
    }

    func testPngDataRoundTripAndAtomicWrite() throws {
        let px = TestImages.gradient(width: 150, height: 150)
        let image = try RGBImage(width: 150, height: 150, pixels: px)
        XCTAssertEqual(try ImageDecoder.decode(data: image.pngData(), name: "mem").pixels, px)

        let dir = TestPaths.temporaryDirectory("imageinput-png")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("chip.png")
        try Data("old contents".utf8).write(to: url)
        try image.write(png: url)
        XCTAssertEqual(try ImageDecoder.decode(contentsOf: url), image)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["chip.png"], "temp file left behind")
        // Writing into a missing folder fails with a typed error naming the file.
        let bad = dir.appendingPathComponent("missing/chip.png")
        XCTAssertThrowsError(try image.write(png: bad)) {
            guard case .writeFailed(let file, _)? = $0 as? ImageInputError else { return XCTFail("\($0)") }
            XCTAssertEqual(file, bad.relativePath)
        }
    }

    func testTruncatedPNG() throws {
        let png = try Array(RGBImage(width: 40, height: 30, pixels: TestImages.gradient(width: 40, height: 30)).pngData())
        for cut in [png.count / 2, png.count - 20, 30] {
            guard let e = expectError(Array(png.prefix(cut))) else { continue }
            guard case .truncated(let file, .png, let detail) = e else { return XCTFail("cut \(cut): \(e)") }
            XCTAssertEqual(file, "chip.png")
            XCTAssertFalse(detail.isEmpty)
        }
    }

    func testCorruptCRCAndCorruptData() throws {
        let png = TestImages.png(width: 4, height: 4, bitDepth: 8, colorType: 2, rows: [[UInt8]](repeating: [UInt8](repeating: 7, count: 12), count: 4))
        let idat = TestImages.chunkOffset(png, "IDAT")!
        // Flip a byte of IDAT data, keep the old CRC: libpng reports the zlib check or the CRC, either is corrupt.
        var flipped = png
        flipped[idat + 8 + 10] ^= 0x55
        guard let e1 = expectError(flipped) else { return }
        guard case .corrupt(_, .png, _) = e1 else { return XCTFail("\(e1)") }
        // IDAT CRC field wrong (data intact).
        var idatCRC = png
        let idatLength = Int(png[idat + 3]) | Int(png[idat + 2]) << 8
        idatCRC[idat + 8 + idatLength] ^= 0xFF
        guard let e2 = expectError(idatCRC) else { return }
        guard case .corrupt(_, .png, let d2) = e2 else { return XCTFail("\(e2)") }
        XCTAssertTrue(d2.contains("CRC"), d2)
        // IHDR CRC wrong.
        var ihdr = png
        ihdr[8 + 8 + 13] ^= 0xFF
        guard let e3 = expectError(ihdr) else { return }
        guard case .corrupt(_, .png, let d3) = e3 else { return XCTFail("\(e3)") }
        XCTAssertTrue(d3.contains("CRC"), d3)
        // Valid CRC over invalid zlib data.
        let garbage = PNGBytes.chunk("IDAT", [0x78, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        let bad = Array(png[..<idat]) + garbage + PNGBytes.chunk("IEND", [])
        guard let e4 = expectError(bad) else { return }
        switch e4 {
        case .corrupt(_, .png, _): break
        default: XCTFail("\(e4)")
        }
    }

    func testHugeHeaderIsTooLargeWithoutDecoding() throws {
        let png = TestImages.png(width: 100_000, height: 100_000, bitDepth: 8, colorType: 2, rows: [[1, 2, 3]])
        XCTAssertEqual(expectError(png), .tooLarge(file: "chip.png", width: 100_000, height: 100_000, maxPixels: 50_000_000))
        // Beyond libpng's own width limit (1e6) it is still reported as too large, not corrupt.
        let wide = TestImages.png(width: 60_000_000, height: 1, bitDepth: 8, colorType: 0, rows: [[1]])
        XCTAssertEqual(expectError(wide), .tooLarge(file: "chip.png", width: 60_000_000, height: 1, maxPixels: 50_000_000))
    }

    func testSharedPNGsDecode() throws {
        guard let shared = TestPaths.shared else {
            throw XCTSkip(TestPaths.skipReason("PNGDecoderTests.testSharedPNGsDecode: shared data folder absent"))
        }
        let png32 = shared.appendingPathComponent("data/examples/misc/32bit.png")
        if FileManager.default.fileExists(atPath: png32.path) {
            let image = try ImageDecoder.decode(contentsOf: png32)
            XCTAssertGreaterThan(image.width, 0)
            XCTAssertEqual(image.pixels.count, image.width * image.height * 3)
        } else {
            TestPaths.skipReason("PNGDecoderTests: \(png32.path) absent")
        }
        let chips = shared.appendingPathComponent("reference/chips")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: chips.path)) ?? []).filter { $0.hasSuffix(".png") }.sorted()
        if names.isEmpty { throw XCTSkip(TestPaths.skipReason("PNGDecoderTests: no chips in \(chips.path)")) }
        for name in names.prefix(50) {
            let chip = try ImageDecoder.decode(contentsOf: chips.appendingPathComponent(name))
            XCTAssertEqual(chip.width, 150, name)
            XCTAssertEqual(chip.height, 150, name)
        }
    }
}
