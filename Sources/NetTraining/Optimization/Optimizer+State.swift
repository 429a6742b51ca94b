// Checkpointing: the optimiser's whole state is `step` plus the named tensors below.

extension Optimizer {
    /// The names of the state tensors of `kind`: ["velocity"] for SGD, ["m", "v"] for Adam and AdamW.
    public static func stateTensorNames(for kind: OptimizerKind) -> [String] {
        kind == .sgd ? ["velocity"] : ["m", "v"]
    }

    /// State for checkpoints: named float arrays, ["velocity": …] for SGD (the momentum buffer), ["m": …, "v": …]
    /// for Adam(W) (the biased first and second moments); each [parameterCount]. Together with `step` (which the
    /// bias corrections and the schedule need) this is everything an update depends on besides `config`.
    public var stateTensors: [String: [Float]] {
        config.kind == .sgd ? ["velocity": firstMoment] : ["m": firstMoment, "v": secondMoment]
    }

    /// Restores what `step` and `stateTensors` returned; after it, updates continue bitwise identically to the
    /// uninterrupted optimiser (given the same `config`). Throws `OptimizerError` (a CustomStringConvertible one-line
    /// error) on missing/misshapen state: `.invalidStep` for step < 0, `.missingState` / `.unexpectedState` unless the
    /// names are exactly `stateTensorNames(for: config.kind)`, `.wrongStateSize` unless each has `parameterCount`
    /// values, `.invalidStateValue` for a non-finite value or a negative "v". Nothing changes when it throws.
    public func restore(step: Int, stateTensors: [String: [Float]]) throws(OptimizerError) {
        let names = Self.stateTensorNames(for: config.kind)
        guard step >= 0 else { throw .invalidStep(step) }
        for name in names where stateTensors[name] == nil { throw .missingState(name: name, expected: names) }
        for name in stateTensors.keys.sorted() where !names.contains(name) {
            throw .unexpectedState(name: name, expected: names)
        }
        for name in names {
            let tensor = stateTensors[name]!
            guard tensor.count == parameterCount else {
                throw .wrongStateSize(name: name, expected: parameterCount, found: tensor.count)
            }
            if let bad = tensor.firstIndex(where: { !$0.isFinite || (name == "v" && $0 < 0) }) {
                throw .invalidStateValue(name: name, index: bad)
            }
        }
        if config.kind == .sgd {
            replaceState(step: step, firstMoment: stateTensors["velocity"]!, secondMoment: [])
        } else {
            replaceState(step: step, firstMoment: stateTensors["m"]!, secondMoment: stateTensors["v"]!)
        }
    }
}
