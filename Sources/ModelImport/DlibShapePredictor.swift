import WeightStore

/// A parsed dlib `shape_predictor` (DLIB_FORMAT.md §5), in dense arrays:
/// levels × trees × nodes, all trees complete binary trees of one depth.
struct DlibShapePredictor {
    var landmarkCount = 0
    var levels = 0
    var treesPerLevel = 0
    var splitsPerTree = 0
    var featurePixels = 0
    var initialShape: [Float] = []      // [L * 2]
    var splitFeatureA: [Float] = []     // [levels, trees, splits]
    var splitFeatureB: [Float] = []     // [levels, trees, splits]
    var splitThreshold: [Float] = []    // [levels, trees, splits]
    var leafValues: [Float] = []        // [levels, trees, splits + 1, L * 2]
    var anchorIndex: [Float] = []       // [levels, pixels]
    var deltas: [Float] = []            // [levels, pixels, 2]

    var treeDepth: Int { (splitsPerTree + 1).trailingZeroBitCount }

    static func parse(_ s: inout DlibStream) throws -> DlibShapePredictor {
        var sp = DlibShapePredictor()
        let version = try s.int()
        guard version == 1 else { throw s.error("shape_predictor version \(version), expected 1", at: 0) }
        let initial = try s.realMatrix()
        guard initial.cols == 1, initial.rows % 2 == 0, initial.rows > 0 else { throw s.error("initial_shape is not a 2·L column vector") }
        sp.initialShape = initial.values
        sp.landmarkCount = initial.rows / 2

        sp.levels = try s.count("cascade level count", limit: 1000)
        for level in 0..<sp.levels {
            let trees = try s.count("tree count", limit: 100_000)
            if level == 0 { sp.treesPerLevel = trees }
            guard trees == sp.treesPerLevel else { throw s.error("cascade levels differ in tree count") }
            for _ in 0..<trees { try sp.readTree(&s) }
        }
        let anchorLevels = try s.count("anchor level count", limit: 1000)
        guard anchorLevels == sp.levels else { throw s.error("anchor_idx has \(anchorLevels) levels, expected \(sp.levels)") }
        for level in 0..<sp.levels {
            let n = try s.count("feature pixel count", limit: 1 << 20)
            if level == 0 { sp.featurePixels = n }
            guard n == sp.featurePixels else { throw s.error("cascade levels differ in feature pixel count") }
            for _ in 0..<n {
                let a = try s.count("anchor index", limit: sp.landmarkCount - 1)
                sp.anchorIndex.append(Float(a))
            }
        }
        let deltaLevels = try s.count("delta level count", limit: 1000)
        guard deltaLevels == sp.levels else { throw s.error("deltas has \(deltaLevels) levels, expected \(sp.levels)") }
        for _ in 0..<sp.levels {
            let n = try s.count("delta count", limit: 1 << 20)
            guard n == sp.featurePixels else { throw s.error("deltas count \(n), expected \(sp.featurePixels)") }
            for _ in 0..<n {
                sp.deltas.append(Float(try s.real()))
                sp.deltas.append(Float(try s.real()))
            }
        }
        guard s.atEnd else { throw s.error("\(s.bytes.count - s.offset) unexpected trailing bytes") }
        return sp
    }

    private mutating func readTree(_ s: inout DlibStream) throws {
        let splits = try s.count("split count", limit: 1 << 16)
        if splitsPerTree == 0 {
            guard (splits + 1).nonzeroBitCount == 1 else { throw s.error("tree with \(splits) splits is not complete") }
            splitsPerTree = splits
        }
        guard splits == splitsPerTree else { throw s.error("trees differ in depth") }
        for _ in 0..<splits {
            splitFeatureA.append(Float(try s.count("split index")))
            splitFeatureB.append(Float(try s.count("split index")))
            splitThreshold.append(Float(try s.real()))
        }
        let leaves = try s.count("leaf count", limit: 1 << 17)
        guard leaves == splits + 1 else { throw s.error("tree with \(splits) splits has \(leaves) leaves") }
        for _ in 0..<leaves {
            let leaf = try s.realMatrix()
            guard leaf.values.count == 2 * landmarkCount else { throw s.error("leaf of \(leaf.values.count) values, expected \(2 * landmarkCount)") }
            leafValues += leaf.values
        }
    }
}
