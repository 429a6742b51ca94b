import FaceAlignment
import FaceAnalysis
import FaceDetection
import FaceEmbedding
import Foundation
import ImageInput
import PairNet
import TestSupport
import XCTest

/// Faces of several photos embedded in one batch are exactly the faces embedded photo by photo.
final class FaceAnalyzerBatchesTests: XCTestCase {
    func testBatchesGiveTheSameFacesBitForBit() throws {
        let analyzer = try FaceAnalyzer.withImportedModels()
        let folder = TestPaths.fixtures.appendingPathComponent("FaceDetection")
        let photos = ["AJ_Cook_0001.jpg", "missing.jpg", "Akmal_Taher_0001.jpg", "mmod_up0.jsonl", "AJ_Cook_0001.jpg"]
            .map { folder.appendingPathComponent($0) }
        func bits(_ e: Embedding?) -> [UInt32]? { e?.values.map(\.bitPattern) }

        // FaceAnalyzer: every face of every image
        let batched = analyzer.analyze(contentsOf: photos, options: AnalysisOptions())
        XCTAssertEqual(batched.count, photos.count)
        for (url, result) in zip(photos, batched) {
            let alone = Result { try analyzer.analyze(contentsOf: url, options: AnalysisOptions()) }
            switch (result, alone) {
            case (.success(let a), .success(let b)):
                XCTAssertEqual(a.faces.count, b.faces.count, url.lastPathComponent)
                XCTAssertFalse(a.faces.isEmpty, url.lastPathComponent)
                XCTAssertEqual(a.faces.map { bits($0.embedding) }, b.faces.map { bits($0.embedding) }, url.lastPathComponent)
            case (.failure(let a), .failure(let b)): XCTAssertEqual("\(a)", "\(b)")
            default: XCTFail("\(url.lastPathComponent): \(result) vs \(alone)")
            }
        }
        XCTAssertEqual(batched.filter { if case .failure = $0 { true } else { false } }.count, 2, "the missing file and the non-image")

        // BatchEmbedder: the chosen face of each image, in runs of images
        let embedder = BatchEmbedder(analyzer: analyzer, options: AnalysisOptions(), threads: 1)
        let run = embedder.faces(in: photos)
        for (url, outcome) in zip(photos, run) {
            let alone = embedder.face(in: url)
            switch (outcome, alone) {
            case (.success(let a), .success(let b)): XCTAssertEqual(bits(a.embedding), bits(b.embedding), url.lastPathComponent)
            case (.failure(let a), .failure(let b)): XCTAssertEqual(a.message, b.message)
            default: XCTFail("\(url.lastPathComponent): \(outcome) vs \(alone)")
            }
        }
        XCTAssertEqual(embedder.run(photos).map { (try? $0.get()).map { bits($0.embedding) } }, run.map { (try? $0.get()).map { bits($0.embedding) } })
    }
}
