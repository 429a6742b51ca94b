/// Errors of the FaceAlignment module. One line each, naming the input and the cause.
/// (Wrong file kinds, missing tensors and shape mismatches are `WeightStoreError`s.)
public enum FaceAlignmentError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A model attribute has a value this code cannot use (e.g. `landmark_count` ≠ initial_shape rows).
    case badAttribute(path: String, name: String, value: Int, reason: String)
    /// A tensor that stores indices holds a value that is not an integer in `0..<limit`.
    case badIndex(path: String, tensor: String, element: Int, value: Float, limit: Int)
    /// A tensor holds a non-finite value (NaN or infinity).
    case nonFinite(path: String, tensor: String, element: Int)

    public var description: String {
        switch self {
        case let .badAttribute(path, name, value, reason):
            return "\(path): attribute '\(name)' = \(value) is unusable: \(reason)"
        case let .badIndex(path, tensor, element, value, limit):
            return "\(path): tensor '\(tensor)' element \(element) = \(value) is not an index in 0..<\(limit)"
        case let .nonFinite(path, tensor, element):
            return "\(path): tensor '\(tensor)' element \(element) is not finite"
        }
    }
}
