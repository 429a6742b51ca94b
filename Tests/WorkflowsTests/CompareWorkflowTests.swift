import FaceAnalysis
import FaceEmbedding
import Foundation
import ImageInput
import LogisticHead
import TestSupport
import Workflows
import XCTest

/// Compare on the sample photos: files and uploads give the same answer, equal to the head on the pipeline's own
/// embeddings; failures are typed and name the image.
final class CompareWorkflowTests: XCTestCase {
    static let samples = TestPaths.repositoryRoot.appendingPathComponent("Data/samples")

    static func loadModels() throws -> LoadedModels {
        guard let folder = TestPaths.models, FileManager.default.fileExists(atPath: folder.appendingPathComponent("head.h5").path) else {
            throw XCTSkip(TestPaths.skipReason("no imported models with head.h5 (run make models)"))
        }
        return try LoadedModels.load(ModelSettings(folder: folder))
    }

    func testFilesAndUploadsAgreeWithTheHeadOnThePipelinesEmbeddings() throws {
        let models = try Self.loadModels()
        let a = Self.samples.appendingPathComponent("obama.jpg"), b = Self.samples.appendingPathComponent("obama2.jpg")
        let settings = FaceSettings()
        let files = try CompareWorkflow.compare(.file(a.path), .file(b.path), models: models, settings: settings, threads: 2)
        let uploads = try CompareWorkflow.compare(.upload(field: "a", name: "obama.jpg", bytes: Data(contentsOf: a)),
                                                  .upload(field: "b", name: nil, bytes: Data(contentsOf: b)), models: models, settings: settings)
        XCTAssertEqual(files.probability, uploads.probability)
        XCTAssertEqual(files.distance, uploads.distance)
        XCTAssertEqual(uploads.a?.path, "obama.jpg")
        XCTAssertEqual(uploads.b?.path, "b")

        // Independently: the batch embedder's embeddings through the head.
        let batch = BatchEmbedder(analyzer: models.analyzer, options: AnalysisOptions(), threads: 1)
        let ea = try batch.face(in: a).get().embedding, eb = try batch.face(in: b).get().embedding
        let head = try XCTUnwrap(models.head)
        let p = head.probability(PairFeatures(ea, eb, kind: head.featureKind))
        XCTAssertEqual(files.probability, p)
        XCTAssertEqual(files.same, p >= head.threshold)
        XCTAssertTrue(files.same, "two photos of the same person")
        XCTAssertEqual(try CompareWorkflow.compare(embeddings: ea, eb, models: models).probability, p)

        let biden = try CompareWorkflow.compare(.file(a.path), .file(Self.samples.appendingPathComponent("biden.jpg").path),
                                                models: models, settings: settings)
        XCTAssertFalse(biden.same)
        XCTAssertLessThan(biden.probability, files.probability)

        // The JSON shape: CLI keys, and with details/chips the extra keys.
        let plain = files.json().text
        XCTAssertTrue(plain.hasPrefix("{\"probability\":"), plain)
        XCTAssertFalse(plain.contains("\"chip\""))
        let rich = uploads.json(details: true, chips: true).text
        XCTAssertTrue(rich.contains("\"chip\":\"data:image/png;base64,"), String(rich.prefix(300)))
        XCTAssertTrue(rich.contains("\"face\":1,\"width\":"), String(rich.prefix(300)))
    }

    func testFailuresAreTypedAndNameTheImage() throws {
        let models = try Self.loadModels()
        let a = Self.samples.appendingPathComponent("obama.jpg")
        let grey = try RGBImage(width: 200, height: 200, pixels: [UInt8](repeating: 128, count: 200 * 200 * 3)).pngData()
        func failure(_ body: () throws(WorkflowError) -> Comparison) -> WorkflowError? {
            do { _ = try body(); return nil } catch { return error }
        }
        let noFace = failure { () throws(WorkflowError) in
            try CompareWorkflow.compare(.file(a.path), .upload(field: "b", name: "grey.png", bytes: grey), models: models, settings: FaceSettings())
        }
        XCTAssertEqual(noFace?.kind, .noFace)
        XCTAssertEqual(noFace?.input, "b")
        XCTAssertEqual(noFace?.message, "b (grey.png): no face found")
        let secondFace = failure { () throws(WorkflowError) in
            try CompareWorkflow.compare(.file(a.path), .file(a.path), faceB: 5, models: models, settings: FaceSettings())
        }
        XCTAssertEqual(secondFace?.kind, .noFace)
        XCTAssertTrue(secondFace?.message.contains("no face 6") == true, secondFace?.message ?? "")
        let short = failure { () throws(WorkflowError) in
            try CompareWorkflow.compare(embeddings: Embedding([1, 2]), Embedding([Float](repeating: 0, count: 128)), models: models)
        }
        XCTAssertEqual(short?.kind, .badInput)
        XCTAssertEqual(short?.input, "a")
        let nan = failure { () throws(WorkflowError) in
            try CompareWorkflow.compare(embeddings: Embedding([Float](repeating: 0, count: 128)), Embedding([Float](repeating: .nan, count: 128)), models: models)
        }
        XCTAssertEqual(nan?.kind, .badInput)
        XCTAssertEqual(nan?.input, "b")
    }

    func testMissingModelsAreAModelErrorNotACrash() throws {
        let empty = TestPaths.temporaryDirectory("workflows-no-models")
        do {
            _ = try LoadedModels.load(ModelSettings(folder: empty))
            XCTFail("an empty models folder must be refused")
        } catch {
            XCTAssertEqual(error.kind, .model)
            XCTAssertTrue(error.message.contains("encoder.h5"), error.message)
        }
        // A pipeline without a detector asked to detect: a typed error, not a stop.
        let models = try Self.loadModels()
        let noDetector = FaceAnalyzer(detector: nil, landmarks: nil, encoder: models.encoder)
        let image = try ImageSource.file(Self.samples.appendingPathComponent("obama.jpg").path).decode(limits: .default)
        XCTAssertThrowsError(try noDetector.faces(in: image, options: AnalysisOptions()))
        let noEncoder = FaceAnalyzer(detector: models.analyzer.detector, landmarks: models.analyzer.landmarks, encoder: nil)
        XCTAssertThrowsError(try noEncoder.faces(in: image, options: AnalysisOptions()))
    }
}
