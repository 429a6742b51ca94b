import Foundation
@testable import ModelImport
import TestSupport
import WeightStore
import XCTest

/// The importer on dlib's real files (fetched by `make models`), cross-checked against the shared
/// reference parser (../shared/reference/tools/dlib_dat_parse.py).
final class ModelImporterTests: XCTestCase {
    private func sources() throws -> URL {
        guard let dir = TestPaths.dlibSources else {
            throw XCTSkip(TestPaths.skipReason("dlib .dat files not fetched (run make models or set PAIRMATCH_DLIB_DIR)"))
        }
        return dir
    }

    func testParameterCountsMatchDlib() throws {
        let dir = try sources()
        let (encoder, e) = try ModelImporter.convert(dir.appendingPathComponent(ModelFile.encoder.dlibFileName), as: .encoder)
        // dlib's count_parameters: convolutions and fc only; affine γ/β separately (DLIB_FORMAT.md §3).
        XCTAssertEqual(e.parameterCount, 5_607_488)
        XCTAssertEqual(e.normalisationParameterCount, 7_104)
        XCTAssertEqual(e.sourceSHA256, ModelFile.encoder.expectedSHA256)
        XCTAssertEqual(try encoder.integer("count", on: "layers"), 108)
        var convs = 0, convParams = 0, fcParams = 0
        for i in 0..<108 {
            let g = "layers/" + String(format: "%03d", i)
            switch try encoder.string("type", on: g) {
            case "con":
                convs += 1
                convParams += try encoder.tensor("\(g)/weight").count + encoder.tensor("\(g)/bias").count
            case "fc": fcParams += try encoder.tensor("\(g)/weight", shape: [256, 128]).count
            default: break
            }
        }
        XCTAssertEqual(convs, 29)
        XCTAssertEqual(convParams + fcParams, 5_607_488)   // 5,574,720 conv + 32,768 fc
        XCTAssertEqual(fcParams, 32_768)
        XCTAssertEqual(try encoder.floats("input_mean_rgb").map { Float($0) }, [122.782, 117.001, 104.298])
        XCTAssertEqual(try encoder.integers("input_size"), [150, 150])
        XCTAssertEqual(try encoder.integers("kernel", on: "layers/000"), [7, 7])
        XCTAssertEqual(try encoder.integers("stride", on: "layers/000"), [2, 2])

        let (detector, d) = try ModelImporter.convert(dir.appendingPathComponent(ModelFile.detector.dlibFileName), as: .detector)
        XCTAssertEqual(d.parameterCount, 180_711)
        XCTAssertEqual(d.normalisationParameterCount, 430)
        XCTAssertEqual(try detector.integers("detector_windows"), [80, 80])
        XCTAssertEqual(try detector.float("nms_iou_threshold"), 0.3382761351109955, accuracy: 1e-12)
        XCTAssertEqual(try detector.float("eps", on: "layers/001"), 1e-4, accuracy: 1e-12)

        let (landmarks, l) = try ModelImporter.convert(dir.appendingPathComponent(ModelFile.landmarks.dlibFileName), as: .landmarks)
        XCTAssertEqual(try landmarks.tensor("split_threshold").count, 112_500)
        XCTAssertEqual(try landmarks.tensor("leaf_values", shape: [15, 500, 16, 10]).count, 1_200_000)
        XCTAssertEqual(l.parameterCount, 1_312_500)
        XCTAssertEqual(try landmarks.tensor("initial_shape", shape: [5, 2]).values[0], 0.7763, accuracy: 1e-4)
    }

    /// Spot values against the shared reference parser (numpy), when ../shared and numpy are present.
    func testSpotValuesMatchReferenceParser() throws {
        let dir = try sources()
        guard let shared = TestPaths.shared else { throw XCTSkip(TestPaths.skipReason("../shared absent")) }
        let tool = shared.appendingPathComponent("reference/tools")
        let script = """
        import sys, json; sys.path.insert(0, sys.argv[1])
        from dlib_dat_parse import Reader, parse_dnn
        net = parse_dnn(Reader(open(sys.argv[2], 'rb').read()))
        L = net['layers']
        w0 = dict(L[0]['tensors'])['weights']; b0 = dict(L[0]['tensors'])['bias']
        g1 = dict(L[1]['tensors'])['gamma']; fc = dict(L[-1]['tensors'])['weights']
        print(json.dumps({'w0': w0.reshape(-1)[:20].tolist(), 'w0_last': float(w0.reshape(-1)[-1]), 'b0': b0.reshape(-1)[:5].tolist(),
                          'g1': g1.reshape(-1)[:5].tolist(), 'fc': fc[255, 120:128].tolist()}))
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, tool.path, dir.appendingPathComponent(ModelFile.encoder.dlibFileName).path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = Pipe()
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let ref = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw XCTSkip(TestPaths.skipReason("python3 with numpy not available for the reference parser"))
        }
        let (encoder, _) = try ModelImporter.convert(dir.appendingPathComponent(ModelFile.encoder.dlibFileName), as: .encoder)
        let w0 = try encoder.tensor("layers/000/weight", shape: [32, 3, 7, 7]).values
        XCTAssertEqual(Array(w0.prefix(20)), (ref["w0"] as! [Double]).map { Float($0) })
        XCTAssertEqual(w0.last, Float(ref["w0_last"] as! Double))
        XCTAssertEqual(Array(try encoder.tensor("layers/000/bias").values.prefix(5)), (ref["b0"] as! [Double]).map { Float($0) })
        XCTAssertEqual(Array(try encoder.tensor("layers/001/gamma").values.prefix(5)), (ref["g1"] as! [Double]).map { Float($0) })
        let fc = try encoder.tensor("layers/107/weight", shape: [256, 128]).values
        XCTAssertEqual(Array(fc[(255 * 128 + 120)..<(255 * 128 + 128)]), (ref["fc"] as! [Double]).map { Float($0) })
    }

    func testImportWritesReadableFiles() throws {
        let dir = try sources()
        let out = TestPaths.temporaryDirectory("import")
        defer { try? FileManager.default.removeItem(at: out) }
        let imported = try ModelImporter.importAll(from: dir, to: out)
        XCTAssertEqual(imported.map(\.model), ModelFile.allCases)
        for model in ModelFile.allCases {
            let archive = try WeightArchive.read(from: out.appendingPathComponent(model.fileName), kind: model.kind)
            XCTAssertEqual(try archive.string("fingerprint"), model.expectedSHA256)
            XCTAssertEqual(try archive.string("source_file"), model.dlibFileName)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted(), ["detector.h5", "encoder.h5", "landmarks.h5"])
    }

    /// A truncated or garbled .dat gives an error naming the file and a byte offset, and nothing is written.
    func testTruncatedAndGarbledFilesAreRefusedWithoutOutput() throws {
        let dir = try sources()
        let work = TestPaths.temporaryDirectory("import-bad")
        defer { try? FileManager.default.removeItem(at: work) }
        let out = work.appendingPathComponent("models")
        for model in ModelFile.allCases {
            let bytes = try Data(contentsOf: dir.appendingPathComponent(model.dlibFileName))
            for cut in [1, 300, bytes.count / 2, bytes.count - 1] {
                let bad = work.appendingPathComponent("\(model.rawValue)-\(cut).dat")
                try bytes.prefix(cut).write(to: bad)
                XCTAssertThrowsError(try ModelImporter.convert(bad, as: model)) { error in
                    guard case .format(let e)? = error as? ModelImportError else { return XCTFail("\(error)") }
                    XCTAssertEqual(e.file, bad.path)
                    XCTAssertLessThanOrEqual(e.offset, cut)
                    XCTAssertFalse("\(error)".contains("\n"))
                }
            }
            // Garbled: a run of 0xFF bytes a little way in.
            var garbled = bytes
            for i in 40..<60 { garbled[i] = 0xFF }
            let bad = work.appendingPathComponent("\(model.rawValue)-garbled.dat")
            try garbled.write(to: bad)
            XCTAssertThrowsError(try ModelImporter.convert(bad, as: model))
        }
        // importAll over a folder with one truncated file writes nothing at all.
        let mixed = work.appendingPathComponent("mixed")
        try FileManager.default.createDirectory(at: mixed, withIntermediateDirectories: true)
        for model in ModelFile.allCases {
            let bytes = try Data(contentsOf: dir.appendingPathComponent(model.dlibFileName))
            try (model == .landmarks ? bytes.prefix(bytes.count - 10) : bytes).write(to: mixed.appendingPathComponent(model.dlibFileName))
        }
        XCTAssertThrowsError(try ModelImporter.importAll(from: mixed, to: out))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    func testWrongNetworkIsRefused() throws {
        let dir = try sources()
        XCTAssertThrowsError(try ModelImporter.convert(dir.appendingPathComponent(ModelFile.detector.dlibFileName), as: .encoder)) { error in
            guard case .wrongNetwork? = error as? ModelImportError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try ModelImporter.convert(dir.appendingPathComponent(ModelFile.encoder.dlibFileName), as: .landmarks))
        XCTAssertThrowsError(try ModelImporter.convert(dir.appendingPathComponent("nope.dat"), as: .encoder)) { error in
            XCTAssertEqual(error as? ModelImportError, .missingSource(path: dir.appendingPathComponent("nope.dat").path))
        }
    }
}
