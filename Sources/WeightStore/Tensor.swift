/// A named float32 tensor of any rank: `values.count == shape.reduce(1, *)`, row-major (last index fastest).
public struct Tensor: Sendable, Equatable {
    /// Extent of each dimension; `[]` is a scalar holding one value.
    public var shape: [Int]
    /// `[shape.reduce(1, *)]` values, row-major.
    public var values: [Float]

    /// Precondition: `values.count` equals the product of `shape` and no extent is negative.
    public init(shape: [Int], values: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative tensor extent in \(shape)")
        precondition(values.count == shape.reduce(1, *), "tensor of shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
        self.shape = shape
        self.values = values
    }

    /// The number of elements.
    public var count: Int { values.count }
}

/// A typed HDF5 attribute value, on a file (root group), a group or a tensor.
public enum AttributeValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case integers([Int64])
    case floats([Double])

    /// A short name of the case, for error messages.
    var typeName: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "float"
        case .integers: return "integer array"
        case .floats: return "float array"
        }
    }
}
