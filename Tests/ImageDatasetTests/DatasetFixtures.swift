import Foundation
import ImageDataset
import ImageInput
import LayerGraph
import TestSupport
import XCTest

/// Builders of small data folders and images for the ImageDataset tests.
enum DatasetFixtures {
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
        let ihdr = be32(UInt32(width)) + be32(UInt32(height)) + [1, 0, 0, 0, 0]
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", ihdr) + chunk("IDAT", zlibStored(raw)) + chunk("IEND", [])
        return Data(png)
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let t = Array(type.utf8)
        return be32(UInt32(data.count)) + t + data + be32(crc32(t + data))
    }

    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65535, data.count - offset)
            let last: UInt8 = offset + n == data.count ? 1 : 0
            out += [last, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[offset..<(offset + n)]
            offset += n
        } while offset < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return out + be32(b << 16 | a)
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            c ^= UInt32(byte)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return ~c
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
