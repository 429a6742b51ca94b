import Foundation
import ImageDataset
import ImageInput
import LayerGraph
import TestSupport
import XCTest

/// Builders of small data folders and images for the ImageDataset tests.
enum DatasetFixtures {
    /// The shape of `warpDrawing()`.
    static let warpShape = ImageShape(c: 2, h: 9, w: 11)

    /// A `[2, 9, 11]` image for the warp tests: white (1) background, a dark (−1) asymmetric blob, channel 1 =
    /// channel 0 / 2.
    static func warpDrawing() -> [Float] {
        var p = [Float](repeating: 1, count: warpShape.count)
        for (x, y) in [(3, 3), (4, 3), (5, 3), (3, 4), (3, 5), (6, 6), (4, 4)] {
            p[y * 11 + x] = -1 + Float(x) * 0.01
        }
        for i in 0..<99 { p[99 + i] = p[i] / 2 }
        return p
    }

    /// A new empty folder (removed by the test's teardown through `FileManager` or left for the OS).
    static func folder() -> URL { TestPaths.temporaryDirectory("pairmatch-dataset") }

    /// Creates `root/<class>/img<k>.png` for each (class path, image count); class paths may be nested
    /// ("A/c1"). Image k of a class is a 6×4 gray image of value 10·k + class position (distinct per image).
    static func dataFolder(_ classes: [(String, Int)], in root: URL = folder()) throws -> URL {
        for (position, (name, count)) in classes.enumerated() {
            let dir = root.appendingPathComponent(name, isDirectory: true)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for k in 0..<count {
                let value = UInt8((10 * k + position) % 256)
                try RGBImage(width: 6, height: 4, gray: [UInt8](repeating: value, count: 24))
                    .write(png: dir.appendingPathComponent(String(format: "img%02d.png", k)))
            }
        }
        return root
    }

    /// Writes `text` as a file at `root/relative`.
    static func writeText(_ text: String, _ relative: String, in root: URL) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// The error `body` throws as a `DatasetError` (failing the test when it throws nothing or something else,
    /// or when its description is not one line).
    static func datasetError<T>(_ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> DatasetError? {
        do {
            _ = try body()
            XCTFail("no error thrown", file: file, line: line)
        } catch let error as DatasetError {
            XCTAssertFalse(error.description.contains("\n"), "error text must be one line", file: file, line: line)
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    // MARK: 1-bit PNG, encoded by hand (ImageInput's writer only writes 8-bit RGB)

    /// A 1-bit gray PNG (colour type 0, bit depth 1) of `bits` (`[height][width]`, true = white, MSB first
    /// in each row byte, rows padded to whole bytes), zlib stored blocks.
    static func oneBitPNG(_ bits: [[Bool]]) -> Data {
        let height = bits.count, width = bits[0].count
        var raw: [UInt8] = []   // [height, 1 + ⌈width/8⌉]: filter byte 0, then packed bits
        for row in bits {
            raw.append(0)
            var bytes = [UInt8](repeating: 0, count: (width + 7) / 8)
            for (x, on) in row.enumerated() where on { bytes[x / 8] |= 0x80 >> UInt8(x % 8) }
            raw += bytes
        }
        let ihdr = PNGBytes.be32(UInt32(width)) + PNGBytes.be32(UInt32(height)) + [1, 0, 0, 0, 0]
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += PNGBytes.chunk("IHDR", ihdr) + PNGBytes.chunk("IDAT", PNGBytes.zlibStored(raw)) + PNGBytes.chunk("IEND", [])
        return Data(png)
    }


    // MARK: Shared data

    /// `../shared/data/omniglot` (alphabet/character/NNNN_MM.png); throws `XCTSkip` with the printed reason
    /// when absent.
    static func omniglot() throws -> URL {
        guard let shared = TestPaths.shared else {
            throw XCTSkip(TestPaths.skipReason("../shared absent: Omniglot checks not run"))
        }
        let url = shared.appendingPathComponent("data/omniglot")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip(TestPaths.skipReason("\(url.path) absent: Omniglot checks not run"))
        }
        return url
    }
}
