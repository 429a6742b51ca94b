import SeededRandom

/// One P×K batch: P classes, K images of each.
public struct PKBatch: Sendable, Equatable {
    /// `[P·K]` image indices (into `LoadedImages`), grouped by class: positions k·K ..< (k+1)·K hold the
    /// k-th class's images.
    public var indices: [Int]
    /// `[P·K]` the class label of each image (`labels[indices[i]]`).
    public var labels: [Int]
}

/// Batches for metric learning: each batch holds P distinct classes × K images of each, so every image has
/// K − 1 positives and (P − 1)·K negatives in the batch (batch-hard / batch-all triplet losses).
///
/// Rules:
/// - Within an epoch classes are drawn by cycling through seeded permutations of all classes, so every class
///   is used about equally often (⌈…⌉ differences of at most one round); the P classes of a batch are distinct.
/// - A class's images are drawn the same way, cycling through seeded permutations of its images: no image
///   repeats inside a batch, and images are used about equally often over an epoch.
/// - A class with fewer than K images (but ≥ 1) is NOT skipped: it fills its K slots with all its images in a
///   shuffled order, then repeats them (each image at most ⌈K / n⌉ times). Classes are never dropped, so
///   small classes still provide negatives; callers wanting distinct positives choose K ≤ the smallest class.
/// - `epoch(e)` depends only on (seed, e), not on earlier epochs, so training resumed at epoch e sees the
///   same batches as an uninterrupted run.
public struct PKBatchSampler: Sendable, Equatable {
    /// Classes per batch P (≥ 1, ≤ classCount).
    public let classesPerBatch: Int
    /// Images per class K (≥ 1).
    public let imagesPerClass: Int
    /// Batches in one epoch: ⌊N / (P·K)⌋ by default (≥ 1), so an epoch shows about every image once.
    public let batchesPerEpoch: Int
    public let seed: UInt64
    /// `[classCount]` image indices of each class, ascending.
    public let classImages: [[Int]]

    /// - Parameters:
    ///   - labels: `[N]` class index of every image (`LoadedImages.labels`).
    ///   - batchesPerEpoch: nil for ⌊N / (P·K)⌋ (at least 1).
    /// - Throws: `.invalidParameter` for P < 1 or K < 1 or batchesPerEpoch < 1, `.tooFewClasses` when
    ///   fewer than P classes have images.
    public init(labels: [Int], classesPerBatch P: Int, imagesPerClass K: Int, batchesPerEpoch: Int? = nil,
                seed: UInt64) throws(DatasetError) {
        guard P >= 1, K >= 1 else {
            throw .invalidParameter(reason: "P×K batches need P ≥ 1 classes and K ≥ 1 images per class (got P = \(P), K = \(K))")
        }
        let byClass = groupByLabel(labels)
        let nonEmpty = byClass.filter { !$0.isEmpty }.count
        guard nonEmpty >= P else {
            throw .tooFewClasses(what: "P×K batches with P = \(P)", needed: P, available: nonEmpty, imagesEach: 1)
        }
        let perEpoch = batchesPerEpoch ?? max(1, labels.count / (P * K))
        guard perEpoch >= 1 else { throw .invalidParameter(reason: "batches per epoch must be ≥ 1, got \(perEpoch)") }
        self.classesPerBatch = P
        self.imagesPerClass = K
        self.batchesPerEpoch = perEpoch
        self.seed = seed
        self.classImages = byClass
    }

    /// Images per batch P·K.
    public var batchSize: Int { classesPerBatch * imagesPerClass }

    /// The `batchesPerEpoch` batches of epoch `number` (0-based), fixed by (seed, number).
    public func epoch(_ number: Int) -> [PKBatch] {
        var rng = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: number) &* 0xD1B5_4A32_D192_ED03))
        _ = rng.next()   // decorrelate neighbouring epochs' first draws
        let classes = classImages.indices.filter { !classImages[$0].isEmpty }
        var classCycle = Cycle(classes)
        var imageCycles = classImages.map { Cycle($0) }
        var batches: [PKBatch] = []
        batches.reserveCapacity(batchesPerEpoch)
        for _ in 0..<batchesPerEpoch {
            var indices: [Int] = [], labels: [Int] = []
            indices.reserveCapacity(batchSize); labels.reserveCapacity(batchSize)
            for c in classCycle.take(classesPerBatch, &rng) {
                indices += imageCycles[c].take(imagesPerClass, &rng)
                labels += Array(repeating: c, count: imagesPerClass)
            }
            batches.append(PKBatch(indices: indices, labels: labels))
        }
        return batches
    }
}

/// Draws from `items` by walking seeded permutations of them: `take(k)` returns k items, distinct when
/// k ≤ items.count (a new permutation started mid-draw never repeats an item already taken in that draw);
/// with k > items.count every item appears ⌊k/n⌋ or ⌈k/n⌉ times.
struct Cycle {
    let items: [Int]
    /// The not yet used rest of the current permutation.
    private var rest: [Int] = []

    init(_ items: [Int]) { self.items = items }

    mutating func take(_ k: Int, _ rng: inout SplitMix64) -> [Int] {
        precondition(!items.isEmpty, "Cycle: no items")
        var out: [Int] = []
        out.reserveCapacity(k)
        while out.count < k {
            if rest.isEmpty {
                var p = items
                Shuffle.shuffle(&p, &rng)
                // Items already in this draw go to the back of the new round (when they can be avoided).
                let already = Set(out.suffix(items.count))
                if !already.isEmpty, out.count % items.count != 0 {
                    p = p.filter { !already.contains($0) } + p.filter { already.contains($0) }
                }
                rest = p.reversed()   // pop from the back = permutation order
            }
            out.append(rest.removeLast())
        }
        return out
    }
}
