/// Why an optimiser configuration or checkpointed optimiser state cannot be used. One line, naming the
/// field or tensor.
public enum OptimizerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A configuration value outside its documented range (`OptimizerConfig.validate()`), with the reason.
    case invalidConfiguration(String)
    /// `restore` was given a negative step count.
    case invalidStep(Int)
    /// A state tensor the optimiser kind needs is absent (`name`, e.g. "m"); `expected` lists all it needs.
    case missingState(name: String, expected: [String])
    /// A state tensor the optimiser kind does not have (e.g. "velocity" given to Adam).
    case unexpectedState(name: String, expected: [String])
    /// A state tensor with `found` elements instead of the optimiser's `parameterCount`.
    case wrongStateSize(name: String, expected: Int, found: Int)
    /// Element `index` of state tensor `name` is NaN or infinite (or negative, for Adam's second moment "v").
    case invalidStateValue(name: String, index: Int)

    public var description: String {
        switch self {
        case let .invalidConfiguration(reason):
            return "invalid optimiser configuration: \(reason)"
        case let .invalidStep(step):
            return "optimiser state has step \(step); the step count must be ≥ 0"
        case let .missingState(name, expected):
            return "optimiser state lacks tensor '\(name)' (this optimiser needs \(expected.joined(separator: ", ")))"
        case let .unexpectedState(name, expected):
            return "optimiser state has unexpected tensor '\(name)' (this optimiser has only \(expected.joined(separator: ", ")))"
        case let .wrongStateSize(name, expected, found):
            return "optimiser state tensor '\(name)' has \(found) values, expected \(expected) (one per parameter)"
        case let .invalidStateValue(name, index):
            return "optimiser state tensor '\(name)' has an invalid value at index \(index) (non-finite, or a negative second moment)"
        }
    }
}
