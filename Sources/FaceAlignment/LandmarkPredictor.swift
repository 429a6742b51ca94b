import Foundation
import WeightStore

/// dlib's 5-point face landmark predictor (an ensemble of regression trees, Kazemi & Sullivan), loaded
/// from pairmatch's `landmarks.h5` (Docs/MODEL_FILES.md). Immutable after loading; safe to share between
/// threads. Prediction is in `LandmarkPredictor+Predict.swift`.
public struct LandmarkPredictor: Sendable {
    /// The archive kind this type reads.
    public static let kind = "pairmatch.landmarks"

    /// One split node of a regression tree: go to child 2i+1 when `I[a] − I[b] > threshold`, else 2i+2.
    /// 8 bytes, so that the 112,500 nodes of dlib's model stay small in cache (feature indices < 65,536).
    struct Split: Sendable {
        var a: UInt16
        var b: UInt16
        var threshold: Float
    }

    /// Number of landmarks L (5 for dlib's model).
    public let landmarkCount: Int
    /// Number of cascade levels (15).
    public let levelCount: Int
    /// Trees per level (500).
    public let treesPerLevel: Int
    /// Depth of each complete binary tree (4: 15 splits, 16 leaves).
    public let treeDepth: Int
    /// Feature pixels per level (800).
    public let featurePixelCount: Int
    /// The model's `fingerprint` attribute (sha256 of the source .dat), if present.
    public let fingerprint: String?

    /// Box-normalised mean shape, interleaved (x0, y0, x1, y1, …).   // [L * 2]
    let initialShape: [Float]
    /// Split nodes.                                                       // [levels, trees, 2^depth − 1]
    let splits: [Split]
    /// Shape increments of the leaves.                                    // [levels, trees, 2^depth, 2L]
    let leafValues: [Float]
    /// The landmark each feature pixel hangs from.                        // [levels, pixels]
    let anchors: [Int32]
    /// Offsets from the anchor in normalised shape space (x, y).          // [levels, pixels, 2]
    let deltas: [Float]

    /// Split nodes per tree, `2^depth − 1`.
    var splitsPerTree: Int { (1 << treeDepth) - 1 }
    /// Leaves per tree, `2^depth`.
    var leavesPerTree: Int { 1 << treeDepth }

    /// Reads `landmarks.h5`.
    /// - Throws: `WeightStoreError` (missing file, not HDF5, `.wrongKind` for another model kind,
    ///   unknown format version, missing tensors or attributes, shape mismatches) and
    ///   `FaceAlignmentError` (indices out of range, non-finite values, unusable attributes).
    public init(contentsOf url: URL) throws {
        try self.init(archive: WeightArchive.read(from: url, kind: Self.kind))
    }

    /// Builds the predictor from an in-memory archive laid out like `landmarks.h5` (also used by tests
    /// with hand-built models). The archive's `kind` is not checked here; `init(contentsOf:)` checks it.
    /// - Throws: as `init(contentsOf:)`.
    public init(archive: WeightArchive) throws {
        let path = archive.source?.path ?? "<in-memory landmarks archive>"
        func positive(_ name: String, max limit: Int) throws -> Int {
            let v = try archive.integer(name)
            guard v > 0, v <= limit else {
                throw FaceAlignmentError.badAttribute(path: path, name: name, value: v,
                                                      reason: "must be in 1...\(limit)")
            }
            return v
        }
        let L = try positive("landmark_count", max: 1 << 12)
        let levels = try positive("cascade_levels", max: 1 << 10)
        let trees = try positive("trees_per_level", max: 1 << 16)
        let depth = try positive("tree_depth", max: 16)
        let pixels = try positive("feature_pixels", max: Int(UInt16.max) + 1)
        let nodes = (1 << depth) - 1, leaves = 1 << depth

        let initial = try archive.tensor("initial_shape", shape: [L, 2])
        let fa = try archive.tensor("split_feature_a", shape: [levels, trees, nodes])
        let fb = try archive.tensor("split_feature_b", shape: [levels, trees, nodes])
        let th = try archive.tensor("split_threshold", shape: [levels, trees, nodes])
        let leafTensor = try archive.tensor("leaf_values", shape: [levels, trees, leaves, 2 * L])
        let anchorTensor = try archive.tensor("anchor_index", shape: [levels, pixels])
        let deltaTensor = try archive.tensor("deltas", shape: [levels, pixels, 2])

        func checkFinite(_ t: Tensor, _ name: String) throws {
            if let i = t.values.firstIndex(where: { !$0.isFinite }) {
                throw FaceAlignmentError.nonFinite(path: path, tensor: name, element: i)
            }
        }
        func indices(_ t: Tensor, _ name: String, limit: Int) throws -> [Int32] {
            var out = [Int32](repeating: 0, count: t.values.count)
            for (i, v) in t.values.enumerated() {
                guard v.isFinite, v >= 0, v < Float(limit), v.rounded(.towardZero) == v else {
                    throw FaceAlignmentError.badIndex(path: path, tensor: name, element: i, value: v, limit: limit)
                }
                out[i] = Int32(v)
            }
            return out
        }
        try checkFinite(initial, "initial_shape")
        try checkFinite(th, "split_threshold")
        try checkFinite(leafTensor, "leaf_values")
        try checkFinite(deltaTensor, "deltas")
        let a = try indices(fa, "split_feature_a", limit: pixels)
        let b = try indices(fb, "split_feature_b", limit: pixels)

        self.landmarkCount = L
        self.levelCount = levels
        self.treesPerLevel = trees
        self.treeDepth = depth
        self.featurePixelCount = pixels
        self.fingerprint = try? archive.string("fingerprint")
        self.initialShape = initial.values
        self.splits = (0..<a.count).map { Split(a: UInt16(a[$0]), b: UInt16(b[$0]), threshold: th.values[$0]) }
        self.leafValues = leafTensor.values
        self.anchors = try indices(anchorTensor, "anchor_index", limit: L)
        self.deltas = deltaTensor.values
    }

    /// The mean shape in box-normalised coordinates (0…1 across the box), one point per landmark.
    public var initialShapePoints: [SubpixelPoint] {
        (0..<landmarkCount).map { SubpixelPoint(x: Double(initialShape[2 * $0]), y: Double(initialShape[2 * $0 + 1])) }
    }
}
