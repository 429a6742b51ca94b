import FaceEmbedding
import Foundation
import ImageInput
import TestSupport
import XCTest
@testable import PairNet

/// Parity with dlib: max |Δ| per descriptor component ≤ 1e-4 against dlib 19.24's own descriptors of the
/// same chips. Needs the imported `encoder.h5` (TestPaths.models); the committed raw fixtures always run
/// then, the full reference set when ../shared is present.
final class EncoderParityTests: XCTestCase {
    private static let tolerance: Float = 1e-4

    private func loadEncoder() throws -> Encoder {
        guard let models = TestPaths.models else {
            throw XCTSkip(TestPaths.skipReason("no imported encoder.h5 ($PAIRMATCH_MODELS or ~/.local/share/pairmatch/models)"))
        }
        return try Encoder(contentsOf: models.appendingPathComponent("encoder.h5"), threads: 2)
    }

    private func check(_ encoder: Encoder, _ chips: [FaceChip], _ expected: [[Float]], names: [String]) -> Float {
        let got = encoder.embed(chips)
        var worst: Float = 0
        for (i, e) in got.enumerated() {
            let d = zip(e.values, expected[i]).map { abs($0 - $1) }.max()!
            XCTAssertLessThanOrEqual(d, Self.tolerance, "\(names[i]): max |Δ| \(d)")
            worst = max(worst, d)
        }
        return worst
    }

    func testCommittedChipsMatchDlib() throws {
        let encoder = try loadEncoder()
        let folder = TestPaths.fixtures.appendingPathComponent("PairNet")
        struct Entry: Decodable { let name: String; let descriptor: [Float] }
        let entries = try JSONDecoder().decode([Entry].self, from: Data(contentsOf: folder.appendingPathComponent("descriptors.json")))
        XCTAssertEqual(entries.count, 4)
        let chips = try entries.map { try FaceChip(pixels: [UInt8](Data(contentsOf: folder.appendingPathComponent($0.name + ".rgb")))) }
        let worst = check(encoder, chips, entries.map(\.descriptor), names: entries.map(\.name))
        print("PairNet parity (fixtures): \(chips.count) chips, max |Δ| = \(worst)")
    }

    /// The real detector file is refused with an error naming it.
    func testDetectorFileIsRefused() throws {
        guard let models = TestPaths.models,
              FileManager.default.fileExists(atPath: models.appendingPathComponent("detector.h5").path) else {
            throw XCTSkip(TestPaths.skipReason("no imported detector.h5"))
        }
        XCTAssertThrowsError(try Encoder(contentsOf: models.appendingPathComponent("detector.h5"))) { error in
            XCTAssertTrue("\(error)".contains("detector.h5"), "\(error)")
        }
    }

    func testReferenceChipsMatchDlib() throws {
        let encoder = try loadEncoder()
        guard let shared = TestPaths.shared else { throw XCTSkip(TestPaths.skipReason("../shared is absent")) }
        let reference = shared.appendingPathComponent("reference")
        struct Face: Decodable { let descriptor: [Float] }
        struct Record: Decodable { let path: String; let faces: [Face] }
        let lines = try String(contentsOf: reference.appendingPathComponent("chips/dlib.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        var chips: [FaceChip] = [], expected: [[Float]] = [], names: [String] = []
        for line in lines {
            let record = try JSONDecoder().decode(Record.self, from: Data(line.utf8))
            let image = try ImageDecoder.decode(contentsOf: shared.appendingPathComponent(record.path))   // "reference/chips/…" 
            XCTAssertEqual([image.width, image.height], [150, 150], record.path)
            chips.append(try FaceChip(pixels: image.pixels))
            expected.append(record.faces[0].descriptor)
            names.append(record.path)
        }
        XCTAssertGreaterThan(chips.count, 100)
        let worst = check(encoder, chips, expected, names: names)
        print("PairNet parity (reference set): \(chips.count) chips, max |Δ| = \(worst)")
    }
}
