import LayerGraph

/// The network's parameters, running statistics and gradients as two flat float vectors, in the order of
/// `NetworkSpec.parameters()` (the file order). Optimisers and checkpoints see only these vectors; layers
/// address their tensors by offset.
///
/// Not thread-safe by itself: layers write disjoint ranges, and reductions happen on one thread.
final class ParameterStorage: @unchecked Sendable {
    /// Every tensor, in file order, with its offset.
    let tensors: [(info: ParameterInfo, offset: Int)]
    /// Total floats (trainable + running statistics).
    let count: Int
    /// `[count]`.
    let values: UnsafeMutablePointer<Float>
    /// `[count]`; 0 for running statistics.
    let gradients: UnsafeMutablePointer<Float>
    private var offsets: [String: Int] = [:]

    init(parameters: [ParameterInfo]) {
        var t: [(ParameterInfo, Int)] = []
        var offset = 0
        for p in parameters {
            t.append((p, offset))
            offsets[p.path] = offset
            offset += p.count
        }
        tensors = t
        count = offset
        values = .allocate(capacity: max(1, offset))
        values.initialize(repeating: 0, count: max(1, offset))
        gradients = .allocate(capacity: max(1, offset))
        gradients.initialize(repeating: 0, count: max(1, offset))
    }

    deinit {
        values.deallocate()
        gradients.deallocate()
    }

    /// The offset of the tensor at `path` (precondition: it exists).
    func offset(of path: String) -> Int {
        guard let o = offsets[path] else { preconditionFailure("no parameter tensor \(path)") }
        return o
    }
}
