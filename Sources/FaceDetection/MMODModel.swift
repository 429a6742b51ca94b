import Foundation
import NetLayers
import WeightStore

/// Everything `detector.h5` defines, checked and ready to run: the network (batch norm folded), the pyramid's
/// padding, the detector window and the NMS overlap test. The pyramid ratio is not in the file: dlib's face
/// detector is compiled with `pyramid_down<6>`, stated here as `pyramidDownN = 6`.
public struct MMODModel: Sendable {
    /// The folded network.
    public let network: MMODNetwork
    /// The tiled-pyramid geometry (ratio 5/6, padding 10, outer padding 11 in dlib's file).
    public let pyramid: TiledPyramidGeometry
    /// The sliding window in input-tensor pixels (80 × 80).
    public let window: (width: Int, height: Int)
    /// NMS: a window is dropped when it overlaps a better one by this test (IoU 0.338, covered 1.0).
    public let nms: OverlapTest
    /// The file it was read from (for messages).
    public let source: URL?

    /// dlib's `pyramid_down<6>`: each level is 5/6 of the previous one.
    public static let pyramidDownN = 6

    /// Reads and checks `url` (an HDF5 file of kind `pairmatch.detector`).
    /// - Throws: `FaceDetectionError.store` when the file is missing, unreadable or of another kind (e.g. an
    ///   `encoder.h5`); `.wrongNetwork` / `.invalidValue` when it is not exactly dlib's MMOD face detector.
    public init(contentsOf url: URL) throws {
        let archive: WeightArchive
        do {
            archive = try WeightArchive.read(from: url, kind: "pairmatch.detector")
        } catch let e as WeightStoreError {
            throw FaceDetectionError.store(e)
        }
        try self.init(archive: archive)
    }

    /// Checks and folds an archive already in memory (see `init(contentsOf:)`).
    public init(archive: WeightArchive) throws {
        let path = archive.source?.path ?? "<detector archive>"
        do {
            try self.init(checking: archive, path: path)
        } catch let e as WeightStoreError {
            throw FaceDetectionError.store(e)
        }
    }

    private init(checking a: WeightArchive, path: String) throws {
        func wrong(_ what: String, _ expected: Any, _ found: Any) -> FaceDetectionError {
            .wrongNetwork(path: path, what: what, expected: "\(expected)", found: "\(found)")
        }
        let network = try a.string("network")
        guard network == "dlib_mmod_human_face_v1" else { throw wrong("attribute 'network'", "dlib_mmod_human_face_v1", network) }

        // Input layer: mean RGB, pyramid padding.
        let mean = try a.floats("input_mean_rgb")
        guard mean.count == 3, mean.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 255 }) else {
            throw FaceDetectionError.invalidValue(path: path, what: "attribute 'input_mean_rgb'", reason: "expected 3 values in 0…255, found \(mean)")
        }
        let padding = try a.integer("pyramid_padding"), outer = try a.integer("pyramid_outer_padding")
        guard (0...1000).contains(padding), (0...1000).contains(outer) else {
            throw FaceDetectionError.invalidValue(path: path, what: "pyramid padding", reason: "\(padding)/\(outer) out of range 0…1000")
        }

        // Loss: one 80×80 window, no box regression, NMS thresholds.
        let windows = try a.integers("detector_windows")
        guard windows == [80, 80] else { throw wrong("attribute 'detector_windows'", [80, 80], windows) }
        if a.attributeNames().contains("use_bounding_box_regression") {
            let bbr = try a.integer("use_bounding_box_regression")
            guard bbr == 0 else { throw wrong("attribute 'use_bounding_box_regression'", 0, bbr) }
        }
        let iou = try a.float("nms_iou_threshold"), covered = try a.float("nms_percent_covered_threshold")
        guard (0...1).contains(iou), (0...1).contains(covered) else {
            throw FaceDetectionError.invalidValue(path: path, what: "NMS thresholds", reason: "\(iou)/\(covered) outside 0…1")
        }

        let convolutions = try MMODModel.loadLayers(a, path: path)
        self.network = MMODNetwork(convolutions: convolutions,
                                   meanRGB: (Float(mean[0]), Float(mean[1]), Float(mean[2])), inputScale: 1.0 / 256)
        self.pyramid = TiledPyramidGeometry(downN: MMODModel.pyramidDownN, padding: padding, outerPadding: outer)
        self.window = (80, 80)
        self.nms = OverlapTest(iouThreshold: iou, coveredThreshold: covered)
        self.source = a.source
    }

    /// One expected convolution of the topology.
    struct ConvSpec { let filters, inputs, kernel, stride, padding: Int }

    /// The network as dlib's `mmod_human_face_detector` defines it: (con · bn · relu) × 6, then con.
    static let expectedConvolutions: [ConvSpec] = [
        ConvSpec(filters: 16, inputs: 3, kernel: 5, stride: 2, padding: 0),
        ConvSpec(filters: 32, inputs: 16, kernel: 5, stride: 2, padding: 0),
        ConvSpec(filters: 32, inputs: 32, kernel: 5, stride: 2, padding: 0),
        ConvSpec(filters: 45, inputs: 32, kernel: 5, stride: 1, padding: 2),
        ConvSpec(filters: 45, inputs: 45, kernel: 5, stride: 1, padding: 2),
        ConvSpec(filters: 45, inputs: 45, kernel: 5, stride: 1, padding: 2),
        ConvSpec(filters: 1, inputs: 45, kernel: 9, stride: 1, padding: 4),
    ]

    /// The record types in forward order: 6 × (con, bn_con, relu), con.
    static var expectedRecordTypes: [String] {
        Array(repeating: ["con", "bn_con", "relu"], count: 6).flatMap { $0 } + ["con"]
    }

    /// Reads `/layers`, checks every record against the expected topology and folds each batch norm
    /// (γ' = γ/√(var + eps), β' = β − mean·γ', eps from the record) into its convolution.
    private static func loadLayers(_ a: WeightArchive, path: String) throws -> [Convolution] {
        func wrong(_ what: String, _ expected: Any, _ found: Any) -> FaceDetectionError {
            .wrongNetwork(path: path, what: what, expected: "\(expected)", found: "\(found)")
        }
        let types = expectedRecordTypes
        let count = try a.integer("count", on: "layers")
        guard count == types.count else { throw wrong("the number of layer records", types.count, count) }
        var result: [Convolution] = []
        var pending: Convolution?
        var specIndex = 0
        for (i, expectedType) in types.enumerated() {
            let group = "layers/" + String(format: "%03d", i)
            let type = try a.string("type", on: group)
            guard type == expectedType else { throw wrong("record \(group) type", expectedType, type) }
            switch type {
            case "con":
                let spec = expectedConvolutions[specIndex]
                specIndex += 1
                let filters = try a.integer("num_filters", on: group)
                let kernel = try a.integers("kernel", on: group)
                let stride = try a.integers("stride", on: group)
                let pad = try a.integers("padding", on: group)
                guard filters == spec.filters else { throw wrong("\(group) num_filters", spec.filters, filters) }
                guard kernel == [spec.kernel, spec.kernel] else { throw wrong("\(group) kernel", [spec.kernel, spec.kernel], kernel) }
                guard stride == [spec.stride, spec.stride] else { throw wrong("\(group) stride", [spec.stride, spec.stride], stride) }
                guard pad == [spec.padding, spec.padding] else { throw wrong("\(group) padding", [spec.padding, spec.padding], pad) }
                let w = try a.tensor("\(group)/weight", shape: [spec.filters, spec.inputs, spec.kernel, spec.kernel])  // OIHW
                let b = try a.tensor("\(group)/bias", shape: [spec.filters])                                            // [O]
                guard w.values.allSatisfy(\.isFinite), b.values.allSatisfy(\.isFinite) else {
                    throw FaceDetectionError.invalidValue(path: path, what: "\(group)", reason: "non-finite weights")
                }
                pending = Convolution(outputChannels: spec.filters, inputChannels: spec.inputs,
                                      kernel: (spec.kernel, spec.kernel), stride: (spec.stride, spec.stride),
                                      padding: (spec.padding, spec.padding), weights: w.values, bias: b.values)
                if i == types.count - 1 { result.append(pending!) }
            case "bn_con":
                guard let conv = pending else { throw wrong("record \(group)", "after a con", "without one") }
                let c = conv.outputChannels
                let eps = try a.float("eps", on: group)
                guard eps.isFinite, eps > 0, eps < 1 else {
                    throw FaceDetectionError.invalidValue(path: path, what: "\(group) eps", reason: "\(eps) is not in (0, 1)")
                }
                let gamma = try a.tensor("\(group)/gamma", shape: [c]).values              // [C]
                let beta = try a.tensor("\(group)/beta", shape: [c]).values                // [C]
                let mean = try a.tensor("\(group)/running_mean", shape: [c]).values        // [C]
                let variance = try a.tensor("\(group)/running_variance", shape: [c]).values // [C]
                guard variance.allSatisfy({ $0.isFinite && $0 >= 0 }),
                      (gamma + beta + mean).allSatisfy(\.isFinite) else {
                    throw FaceDetectionError.invalidValue(path: path, what: "\(group)", reason: "non-finite or negative statistics")
                }
                let affine = ChannelAffine(batchNormGamma: gamma, beta: beta, runningMean: mean,
                                           runningVariance: variance, eps: Float(eps))
                result.append(conv.foldingAffine(gamma: affine.gamma, beta: affine.beta))
                pending = nil
            default:   // relu: fused as the convolution's epilogue
                break
            }
        }
        return result
    }
}
