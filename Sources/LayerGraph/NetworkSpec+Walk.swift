/// Shape inference and the parameter list, by one walk over the layers in forward order (residual bodies
/// before their shortcuts). The same order is the order of tensors in files and in the training engine's
/// flat parameter vector.
extension NetworkSpec {
    /// Every layer (residual containers included, before their children) with its shapes and tensors.
    /// - Throws: `LayerGraphError.invalidLayer` naming the first layer that does not fit its input.
    public func resolvedLayers() throws -> [ResolvedLayer] {
        var out: [ResolvedLayer] = []
        _ = try Self.walk(layers, prefix: "layers", input: input.shape, into: &out)
        return out
    }

    /// The output shape per image.
    public func outputShape() throws -> ImageShape {
        var out: [ResolvedLayer] = []
        return try Self.walk(layers, prefix: "layers", input: input.shape, into: &out)
    }

    /// Every tensor in file order.
    public func parameters() throws -> [ParameterInfo] { try resolvedLayers().flatMap(\.parameters) }

    /// Trained parameters (running statistics excluded).
    public func trainableParameterCount() throws -> Int {
        try parameters().filter { $0.role.isTrainable }.reduce(0) { $0 + $1.count }
    }

    /// Floating-point operations per image of one forward pass (2 × multiply-adds of convolutions and fc layers).
    public func forwardFLOPs() throws -> Double {
        Double(try resolvedLayers().reduce(0) { $0 + $1.multiplyAdds }) * 2
    }

    /// Floats of activations per image the training engine keeps for backward: every layer's output plus its
    /// gradient buffer (residual containers included), the input excluded. Multiply by the batch size and 4 for bytes.
    public func trainingActivationFloatsPerImage() throws -> Int {
        try resolvedLayers().reduce(0) { $0 + 2 * $1.outputShape.count }
    }

    /// `prefix/NNN` with three digits (more when needed).
    public static func layerPath(_ prefix: String, _ index: Int) -> String {
        let digits = String(index)
        return prefix + "/" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }

    static func walk(_ layers: [LayerSpec], prefix: String, input: ImageShape,
                     into out: inout [ResolvedLayer]) throws -> ImageShape {
        var shape = input
        for (index, spec) in layers.enumerated() {
            let path = layerPath(prefix, index)
            shape = try resolve(spec, path: path, input: shape, into: &out)
        }
        return shape
    }

    private static func resolve(_ spec: LayerSpec, path: String, input s: ImageShape,
                                into out: inout [ResolvedLayer]) throws -> ImageShape {
        func fail(_ reason: String) -> LayerGraphError { .invalidLayer(path: path, reason: "\(spec.name): \(reason)") }
        func p(_ role: ParameterRole, _ shape: [Int]) -> ParameterInfo {
            ParameterInfo(path: path + "/" + role.tensorName, shape: shape, role: role)
        }
        switch spec {
        case .convolution(let c):
            guard c.filters > 0, c.kernelHeight > 0, c.kernelWidth > 0 else { throw fail("filters and kernel must be ≥ 1") }
            guard c.strideY >= 1, c.strideX >= 1 else { throw fail("stride must be ≥ 1") }
            guard c.paddingY >= 0, c.paddingX >= 0, c.paddingY < c.kernelHeight, c.paddingX < c.kernelWidth else {
                throw fail("padding must be in 0..<kernel")
            }
            guard s.h + 2 * c.paddingY >= c.kernelHeight, s.w + 2 * c.paddingX >= c.kernelWidth else {
                throw fail("input \(s) smaller than the kernel")
            }
            let o = ImageShape(c: c.filters, h: 1 + (s.h + 2 * c.paddingY - c.kernelHeight) / c.strideY,
                               w: 1 + (s.w + 2 * c.paddingX - c.kernelWidth) / c.strideX)
            var params = [p(.weights, [c.filters, s.c, c.kernelHeight, c.kernelWidth])]
            if c.bias { params.append(p(.bias, [c.filters])) }
            out.append(ResolvedLayer(path: path, spec: spec, inputShape: s, outputShape: o, parameters: params,
                                     multiplyAdds: c.filters * s.c * c.kernelHeight * c.kernelWidth * o.h * o.w))
            return o
        case .batchNorm(let b):
            guard b.epsilon > 0, b.momentum >= 0, b.momentum <= 1 else { throw fail("epsilon must be > 0, momentum in [0, 1]") }
            out.append(ResolvedLayer(path: path, spec: spec, inputShape: s, outputShape: s,
                                     parameters: [p(.gamma, [s.c]), p(.beta, [s.c]), p(.runningMean, [s.c]), p(.runningVariance, [s.c])],
                                     multiplyAdds: 0))
            return s
        case .affine:
            out.append(ResolvedLayer(path: path, spec: spec, inputShape: s, outputShape: s,
                                     parameters: [p(.gamma, [s.c]), p(.beta, [s.c])], multiplyAdds: 0))
            return s
        case .relu, .l2Normalize:
            out.append(ResolvedLayer(path: path, spec: spec, inputShape: s, outputShape: s, parameters: [], multiplyAdds: 0))
            return s
        case .maxPool(let q), .avgPool(let q):
            let o: ImageShape
            if q.isGlobal {
                guard q.paddingY == 0, q.paddingX == 0 else { throw fail("a global pool has no padding") }
                o = ImageShape(c: s.c, h: 1, w: 1)
            } else {
                guard q.kernelHeight >= 1, q.kernelWidth >= 1, q.strideY >= 1, q.strideX >= 1 else {
                    throw fail("kernel and stride must be ≥ 1 (kernel 0×0 for a global pool)")
                }
                guard q.paddingY >= 0, q.paddingX >= 0, q.paddingY < q.kernelHeight, q.paddingX < q.kernelWidth else {
                    throw fail("padding must be in 0..<kernel")
                }
                guard s.h + 2 * q.paddingY >= q.kernelHeight, s.w + 2 * q.paddingX >= q.kernelWidth else {
                    throw fail("input \(s) smaller than the window")
                }
                o = ImageShape(c: s.c, h: 1 + (s.h + 2 * q.paddingY - q.kernelHeight) / q.strideY,
                               w: 1 + (s.w + 2 * q.paddingX - q.kernelWidth) / q.strideX)
            }
            out.append(ResolvedLayer(path: path, spec: spec, inputShape: s, outputShape: o, parameters: [], multiplyAdds: 0))
            return o
        case .residual(let body, let shortcut):
            out.append(ResolvedLayer(path: path, spec: spec, inputShape: s, outputShape: s, parameters: [], multiplyAdds: 0))
            let container = out.count - 1
            let a = try walk(body, prefix: path + "/body", input: s, into: &out)
            let b = try walk(shortcut, prefix: path + "/shortcut", input: s, into: &out)
            let o = ImageShape(c: max(a.c, b.c), h: max(a.h, b.h), w: max(a.w, b.w))
            out[container] = ResolvedLayer(path: path, spec: spec, inputShape: s, outputShape: o, parameters: [], multiplyAdds: 0)
            return o
        case .fullyConnected(let outputs, let bias):
            guard outputs > 0 else { throw fail("outputs must be ≥ 1") }
            var params = [p(.weights, [s.count, outputs])]
            if bias { params.append(p(.bias, [outputs])) }
            out.append(ResolvedLayer(path: path, spec: spec, inputShape: s, outputShape: ImageShape(c: outputs, h: 1, w: 1),
                                     parameters: params, multiplyAdds: s.count * outputs))
            return ImageShape(c: outputs, h: 1, w: 1)
        case .flatten:
            let o = ImageShape(c: s.count, h: 1, w: 1)
            out.append(ResolvedLayer(path: path, spec: spec, inputShape: s, outputShape: o, parameters: [], multiplyAdds: 0))
            return o
        }
    }
}
