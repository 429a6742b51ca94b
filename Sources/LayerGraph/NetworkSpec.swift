/// A whole network as data: its input spec and its layers in forward order. The file layout, the
/// parameter list, shapes and FLOPs are all derived from this one value (see `NetworkSpec+Walk.swift`).
public struct NetworkSpec: Codable, Equatable, Hashable, Sendable {
    /// What the first layer receives (`[C, H, W]` = input.shape).
    public var input: InputSpec
    /// Layers in forward order.
    public var layers: [LayerSpec]

    public init(input: InputSpec, layers: [LayerSpec]) {
        self.input = input
        self.layers = layers
    }
}

/// Why a network spec cannot be built, naming the layer by its path (`layers/003`, `layers/005/body/001`).
public enum LayerGraphError: Error, CustomStringConvertible, Equatable {
    case invalidLayer(path: String, reason: String)
    case invalidFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidLayer(let path, let reason): return "\(path): \(reason)"
        case .invalidFile(let path, let reason): return "\(path): \(reason)"
        }
    }
}

/// What a parameter tensor is for.
public enum ParameterRole: String, Codable, Sendable {
    case weights, bias, gamma, beta
    /// Batch-norm running statistics: state, not trained by gradients.
    case runningMean = "running_mean", runningVariance = "running_variance"

    /// The tensor's name inside its layer's group.
    public var tensorName: String { rawValue }
    /// Trained by the optimiser (false for running statistics).
    public var isTrainable: Bool { self != .runningMean && self != .runningVariance }
    /// Weight decay applies (weights of convolutions and fc layers only, not biases, γ or β).
    public var decays: Bool { self == .weights }
}

/// One tensor a layer owns: its file path, shape and role.
public struct ParameterInfo: Equatable, Sendable {
    /// `layers/NNN[/body|shortcut/NNN…]/<role>`.
    public let path: String
    public let shape: [Int]
    public let role: ParameterRole
    /// Elements.
    public var count: Int { shape.reduce(1, *) }
}

/// One layer resolved against its input: where it sits, what it sees and produces, what it owns.
public struct ResolvedLayer: Sendable {
    /// `layers/NNN[/body|shortcut/NNN…]`.
    public let path: String
    public let spec: LayerSpec
    /// Per image, batch excluded.
    public let inputShape: ImageShape
    public let outputShape: ImageShape
    /// The tensors this layer owns (none for a residual: its children own theirs).
    public let parameters: [ParameterInfo]
    /// Multiply-adds per image of this layer alone (convolutions and fc layers; 0 elsewhere).
    public let multiplyAdds: Int
}
