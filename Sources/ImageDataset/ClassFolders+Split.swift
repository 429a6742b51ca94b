import SeededRandom

extension ClassFolders {
    /// Holds out `validationCount` whole classes, chosen at random from `seed`: the validation side measures
    /// how the encoder does on classes it never saw, never on unseen images of training classes.
    ///
    /// Deterministic: the same classes and seed give the same split (a seeded Fisher–Yates shuffle of the
    /// class indices; the first `validationCount` are held out). Both sides keep `minimumImagesPerClass` and
    /// `rootPath`, and are sorted by name, so class indices are renumbered per side.
    /// For a validation set from another folder (`--val DIR`), scan that folder as its own `ClassFolders`.
    /// - Throws: `.invalidSplit` unless `1 ≤ validationCount < classCount`.
    public func splitClasses(validationCount: Int, seed: UInt64)
        throws(DatasetError) -> (train: ClassFolders, validation: ClassFolders) {
        guard validationCount >= 1, validationCount < classCount else {
            throw .invalidSplit(reason: "cannot hold out \(validationCount) of \(classCount) classes "
                                + "(need 1…\(classCount - 1), leaving at least one training class)")
        }
        var rng = SplitMix64(seed: seed)
        let order = Shuffle.permutation(classCount, &rng)   // [classCount]
        let held = Set(order.prefix(validationCount))
        return (subset { !held.contains($0) }, subset { held.contains($0) })
    }

    /// Holds out whole top-level groups (`ImageClass.group`, e.g. alphabets of Omniglot's
    /// `alphabet/character` layout): every class of a group in `validationGroups` goes to validation, all
    /// others to training. With a flat layout each class is its own group.
    /// - Throws: `.invalidSplit` naming unknown groups, or when either side would be empty.
    public func splitByGroup(validationGroups: [String])
        throws(DatasetError) -> (train: ClassFolders, validation: ClassFolders) {
        let known = Set(groups)
        let unknown = validationGroups.filter { !known.contains($0) }
        guard unknown.isEmpty else {
            throw .invalidSplit(reason: "unknown group\(unknown.count == 1 ? "" : "s") "
                                + unknown.map { "'\($0)'" }.joined(separator: ", ")
                                + " (the data has \(groups.joined(separator: ", ")))")
        }
        let held = Set(validationGroups)
        guard !held.isEmpty else { throw .invalidSplit(reason: "no validation groups given") }
        guard held.count < known.count else {
            throw .invalidSplit(reason: "holding out all \(known.count) groups leaves no training classes")
        }
        return (subset { !held.contains(classes[$0].group) }, subset { held.contains(classes[$0].group) })
    }

    /// The classes whose index satisfies `keep`, as a new set (same root and minimum).
    /// Precondition: at least one class kept.
    public func subset(_ keep: (Int) -> Bool) -> ClassFolders {
        let kept = classes.indices.filter(keep).map { classes[$0] }
        precondition(!kept.isEmpty, "ClassFolders.subset: no class kept")
        return ClassFolders(validated: kept, rootPath: rootPath, minimumImagesPerClass: minimumImagesPerClass)
    }
}

/// Seeded shuffles shared by the splits, samplers and episodes (all draws go through `SplitMix64.below`).
enum Shuffle {
    /// A uniformly random permutation of 0..<n (Fisher–Yates from the back).
    static func permutation(_ n: Int, _ rng: inout SplitMix64) -> [Int] {
        var p = Array(0..<n)
        shuffle(&p, &rng)
        return p
    }

    /// Shuffles `a` in place (Fisher–Yates from the back).
    static func shuffle<T>(_ a: inout [T], _ rng: inout SplitMix64) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            a.swapAt(i, rng.below(i + 1))
        }
    }

    /// `k` distinct elements of `a`, uniformly (a partial Fisher–Yates on a copy). Precondition: k ≤ a.count.
    static func sample<T>(_ a: [T], _ k: Int, _ rng: inout SplitMix64) -> [T] {
        precondition(k <= a.count, "Shuffle.sample: \(k) of \(a.count)")
        var c = a
        for i in 0..<k { c.swapAt(i, i + rng.below(c.count - i)) }
        return Array(c.prefix(k))
    }
}
