import ImageInput

/// dlib's `test_box_overlap`: two boxes overlap when they share a pixel and either
/// |A ∩ B| / |bounding box of A and B| > `iouThreshold`, or either box has more than `coveredThreshold` of its
/// area inside the other. (With a covered threshold of 1.0 the second test never fires.)
public struct OverlapTest: Sendable, Equatable {
    /// In [0, 1]; the MMOD file stores 0.3383.
    public let iouThreshold: Double
    /// In [0, 1]; the MMOD file stores 1.0.
    public let coveredThreshold: Double

    public init(iouThreshold: Double, coveredThreshold: Double = 1) {
        precondition((0...1).contains(iouThreshold) && (0...1).contains(coveredThreshold),
                     "OverlapTest: thresholds must be in [0, 1]")
        self.iouThreshold = iouThreshold
        self.coveredThreshold = coveredThreshold
    }

    /// True when `a` and `b` overlap by this test (symmetric).
    public func overlaps(_ a: FaceBox, _ b: FaceBox) -> Bool {
        let inner = Double(a.intersection(b).area)
        if inner == 0 { return false }
        let outer = Double(a.boundingUnion(b).area)
        return inner / outer > iouThreshold
            || inner / Double(a.area) > coveredThreshold
            || inner / Double(b.area) > coveredThreshold
    }
}

/// Greedy non-maximum suppression as dlib's `loss_mmod_::to_label` does it: candidates are visited by score,
/// highest first (ties keep their input order), and a candidate is kept unless it overlaps (by `test`) a box
/// already kept. Returns the kept detections, highest score first.
public func nonMaxSuppression(_ candidates: [Detection], test: OverlapTest) -> [Detection] {
    let order = candidates.indices.sorted { i, j in
        candidates[i].score != candidates[j].score ? candidates[i].score > candidates[j].score : i < j
    }
    var kept: [Detection] = []
    for i in order {
        let c = candidates[i]
        if kept.contains(where: { test.overlaps($0.box, c.box) }) { continue }
        kept.append(c)
    }
    return kept
}
