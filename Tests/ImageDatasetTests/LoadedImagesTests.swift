import Foundation
import ImageDataset
import ImageInput
import LayerGraph
import XCTest

final class LoadedImagesTests: XCTestCase {
    private typealias F = DatasetFixtures
    private let spec = InputSpec(width: 3, height: 2, channels: 1, mean: [0], std: [1])

    func testLoadsEveryImageInClassOrderWithLabels() throws {
        let root = try F.dataFolder([("b", 2), ("a", 3)])   // positions: b = 0, a = 1 in the fixture's values
        let folders = try ClassFolders(root: root)
        let loaded = try LoadedImages(loading: folders, spec: spec, threads: 2)
        XCTAssertEqual(loaded.classNames, ["a", "b"])
        XCTAssertEqual(loaded.labels, [0, 0, 0, 1, 1])
        XCTAssertEqual(loaded.count, 5)
        XCTAssertEqual(loaded.images.count, 5 * 6)
        XCTAssertEqual(loaded.sources.map { URL(fileURLWithPath: $0).lastPathComponent },
                       ["img00.png", "img01.png", "img02.png", "img00.png", "img01.png"])
        // Fixture image k of class position p is flat gray 10k + p: "a" was written second (p = 1).
        let expected: [Float] = [1, 11, 21, 0, 10].map { Float($0) / 255 }
        for i in 0..<5 { XCTAssertEqual(Array(loaded.image(i)), Array(repeating: expected[i], count: 6)) }
        XCTAssertEqual(loaded.indicesByClass(), [[0, 1, 2], [3, 4]])
        XCTAssertEqual(try LoadedImages(loading: folders, spec: spec, threads: 1), loaded)
    }

    func testCorruptImageNamesTheFileAndCause() throws {
        let root = try F.dataFolder([("a", 2), ("b", 2)])
        let good = try Data(contentsOf: root.appendingPathComponent("a/img00.png"))
        let bad = root.appendingPathComponent("b/img01.png")
        try good.prefix(good.count / 2).write(to: bad)   // valid signature, data cut short
        let error = F.datasetError { try LoadedImages(loading: try ClassFolders(root: root), spec: spec) }
        guard case .unreadableImage(let file, let cause)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(file, bad.relativePath)
        switch cause {
        case .truncated(let f, .png, _), .corrupt(let f, .png, _): XCTAssertEqual(f, bad.relativePath)
        default: XCTFail("cause \(cause)")
        }
        XCTAssertTrue(error!.description.hasPrefix(bad.relativePath + ": "), error!.description)
    }

    func testOneBitGrayPNGDecodesWithRowPadding() throws {
        // 105 px per row = 13 bytes + 1 bit: the padding bits of each row must not leak into the next row.
        let bits = (0..<105).map { y in (0..<105).map { x in (x * 7 + y * 3) % 5 != 0 } }
        let image = try ImageDecoder.decode(data: F.oneBitPNG(bits), name: "one-bit.png")
        XCTAssertEqual(image.width, 105)
        XCTAssertEqual(image.height, 105)
        for y in 0..<105 {
            for x in 0..<105 {
                let v: UInt8 = bits[y][x] ? 255 : 0
                XCTAssertEqual(image[x, y], RGBPixel(r: v, g: v, b: v), "(\(x), \(y))")
            }
        }
    }

    func testSelectingClassesRelabels() throws {
        let s = InputSpec(width: 1, height: 1, channels: 1)
        let all = LoadedImages(spec: s, classNames: ["a", "b", "c"], images: [0, 1, 2, 3, 4], labels: [0, 1, 2, 1, 0])
        let picked = all.selecting(classes: [2, 0])
        XCTAssertEqual(picked.classNames, ["c", "a"])
        XCTAssertEqual(picked.labels, [0, 1, 1])
        XCTAssertEqual(picked.images, [2, 0, 4])
        XCTAssertEqual(picked.sources, ["#2", "#0", "#4"])
    }

    func testOmniglotFilesAreOneBitBlackStrokesOnWhite() throws {
        let root = try F.omniglot()
        let file = root.appendingPathComponent("Balinese/character01/0108_01.png")
        let image = try ImageDecoder.decode(contentsOf: file)
        XCTAssertEqual(image.width, 105)
        XCTAssertEqual(image.height, 105)
        let gray = image.grayPixels()
        XCTAssertTrue(image.pixels.allSatisfy { $0 == 0 || $0 == 255 })
        let white = gray.filter { $0 == 255 }.count
        XCTAssertEqual(white, 10144)   // counted from the file's bits independently: background is white
    }

    func testOmniglotLoadsAt28WithWhiteBackground() throws {
        let root = try F.omniglot()
        let folders = try ClassFolders(root: root).splitByGroup(validationGroups: ["Greek"]).validation
        let spec = InputSpec(width: 28, height: 28, channels: 1)   // mean 0.5, std 0.5: white = +1, black = −1
        let loaded = try LoadedImages(loading: folders, spec: spec)
        XCTAssertEqual(loaded.classCount, 24)
        XCTAssertEqual(loaded.count, 480)
        for i in [0, 123, 479] {
            let fill = Array(loaded.image(i)).withUnsafeBufferPointer { mostCommonBorderValues(of: $0, shape: spec.shape) }
            XCTAssertEqual(fill, [1])
            XCTAssertLessThan(loaded.image(i).min()!, 0)   // strokes survive the 105 → 28 area downscale
        }
    }
}
