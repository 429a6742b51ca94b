import LayerGraph

/// Moving weights in and out of the training engine: export to `NetworkWeights` (the trained-encoder file and the
/// inference network are made from it) and loading weights of the same topology (resume, fine-tuning).
extension TrainingNetwork {
    /// Every tensor (trained form, running statistics included), checked finite.
    /// - Throws: `LayerGraphError.invalidFile` when a value is not finite (a diverged run is not exported).
    public func weights() throws -> NetworkWeights {
        var t: [String: [Float]] = [:]
        for (info, offset) in tensors { t[info.path] = Array(UnsafeBufferPointer(start: parameters.baseAddress! + offset, count: info.count)) }
        return try NetworkWeights(spec: spec, tensors: t, source: "the trained network")
    }

    /// The inference form (batch norm folded, activations fused) of the current weights.
    public func inferenceNetwork() throws -> InferenceNetwork { try InferenceNetwork(weights: weights()) }

    /// Replaces the values of the tensors of `weights` whose paths this network has (all of them for the same spec).
    /// Precondition: shapes agree for every shared path.
    public func load(_ weights: NetworkWeights) {
        for (info, offset) in tensors {
            guard let v = weights.tensors[info.path] else { continue }
            precondition(v.count == info.count, "load: \(info.path) has \(v.count) values, expected \(info.count)")
            (parameters.baseAddress! + offset).update(from: v, count: v.count)
        }
    }
}
