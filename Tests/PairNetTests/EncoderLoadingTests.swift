import NetLayers
import TestSupport
import WeightStore
import XCTest
@testable import PairNet

final class EncoderLoadingTests: XCTestCase {
    func testTopologyTableMatchesDlibRecordCounts() {
        let r = ResNetTopology.records
        XCTAssertEqual(r.count, 108)
        XCTAssertEqual(r.filter { if case .con = $0 { return true } else { return false } }.count, 29)
        XCTAssertEqual(r.filter { if case .affine = $0 { return true } else { return false } }.count, 29)
        XCTAssertEqual(r.filter { $0 == .relu }.count, 29)
        XCTAssertEqual(r.filter { $0 == .addPrev }.count, 14)
        XCTAssertEqual(r.filter { if case .avgPool = $0 { return true } else { return false } }.count, 5)
    }

    func testSyntheticFileRoundTripsThroughHDF5() throws {
        let dir = TestPaths.temporaryDirectory("pairnet-load")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("encoder.h5")
        try SyntheticEncoderFile.archive().write(to: url)
        let encoder = try Encoder(contentsOf: url)
        XCTAssertEqual(encoder.fingerprint, "synthetic-1")
        XCTAssertEqual(encoder.flopsPerFace, 541_708_288)      // 2 × 270,854,144 MACs (resnet_flops.txt)
    }

    func testAnotherKindIsRefusedNamingTheFile() throws {
        let dir = TestPaths.temporaryDirectory("pairnet-kind")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("detector.h5")
        var archive = SyntheticEncoderFile.archive()
        archive.kind = "pairmatch.detector"
        try archive.write(to: url)
        XCTAssertThrowsError(try Encoder(contentsOf: url)) { error in
            XCTAssertTrue("\(error)".contains("detector.h5"), "\(error)")
            guard case .wrongKind = error as? WeightStoreError else { return XCTFail("\(error)") }
        }
    }

    /// A detector-shaped network forged with the encoder's kind and network name is refused at the first
    /// mismatching record, and the message names the file.
    func testAnotherNetworkIsRefusedAtTheFirstMismatch() throws {
        let dir = TestPaths.temporaryDirectory("pairnet-net")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("forged.h5")
        try SyntheticEncoderFile.detectorLikeArchive().write(to: url)
        XCTAssertThrowsError(try Encoder(contentsOf: url)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("forged.h5") && message.contains("layer 000"), message)
            XCTAssertTrue(message.contains("con 32 filters, kernel 7×7") && message.contains("con 16 filters, kernel 5×5"), message)
        }
        var renamed = SyntheticEncoderFile.archive()
        renamed.set(attribute: "network", .string("dlib_mmod_human_face_v1"))
        XCTAssertThrowsError(try Encoder(archive: renamed)) { error in
            XCTAssertEqual(error as? PairNetError, .topologyMismatch(
                path: renamed.fileName, item: "attribute network", expected: "dlib_resnet_metric_v1", found: "dlib_mmod_human_face_v1"))
        }
    }

    func testMisshapenTensorAndWrongStrideAreRefused() {
        var archive = SyntheticEncoderFile.archive()
        archive.set(Tensor(shape: [64, 64, 3, 3], values: [Float](repeating: 0, count: 64 * 64 * 9)), at: "layers/025/weight")
        XCTAssertThrowsError(try Encoder(archive: archive)) { error in
            guard case .shapeMismatch(_, let tensor, let expected, _) = error as? WeightStoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(tensor, "layers/025/weight")
            XCTAssertEqual(expected, [64, 32, 3, 3])
        }
        var strided = SyntheticEncoderFile.archive()
        strided.set(attribute: "stride", .integers([1, 1]), on: "layers/025")
        XCTAssertThrowsError(try Encoder(archive: strided)) { error in
            XCTAssertTrue("\(error)".contains("layer 025"), "\(error)")
        }
    }
}
