import LayerGraph
import NetLayers

/// Layers run in order, each with its own output and gradient buffer (`[N, C, H, W]` of its output shape),
/// so backward has every activation it needs. An empty sequence is the identity.
final class LayerSequence {
    let layers: [TrainingLayer]
    let inputShape: ImageShape
    /// Per layer: the output of the last forward, and the gradient w.r.t. it during backward.
    private let outputs: [FloatBuffer]
    private let gradients: [FloatBuffer]
    private var batch = 0
    private var input: FeatureMap?

    init(layers: [TrainingLayer], inputShape: ImageShape) {
        self.layers = layers
        self.inputShape = inputShape
        outputs = layers.map { _ in FloatBuffer() }
        gradients = layers.map { _ in FloatBuffer() }
    }

    var outputShape: ImageShape { layers.last?.outputShape ?? inputShape }

    /// Runs every layer on `x` `[N, Cin, H, W]`; returns a view of the last output (valid until the next forward).
    /// Layers before `frozenPrefix` run in evaluation mode (a frozen batch norm uses and keeps its running statistics).
    func forward(_ x: FeatureMap, context: TrainingContext, frozenPrefix: Int = 0) -> FeatureMap {
        batch = x.shape.n
        input = x
        var current = x
        let mode = context.mode
        defer { context.mode = mode }
        for (i, layer) in layers.enumerated() {
            context.mode = i < frozenPrefix ? .evaluation : mode
            let y = outputs[i].map(layer.outputShape.batch(batch))
            layer.forward(current, into: y, context: context)
            current = y
        }
        return current
    }

    /// The output of layer `i` from the last forward.
    func output(_ i: Int) -> FeatureMap { FeatureMap(shape: layers[i].outputShape.batch(batch), data: outputs[i].pointer) }

    /// Backward from `dy` (gradient w.r.t. the last output) down to layer `firstTrained`; writes `dx` (gradient
    /// w.r.t. the sequence's input) when given and `firstTrained == 0`. Layers before `firstTrained` compute nothing.
    func backward(dy: FeatureMap, dx: FeatureMap?, context: TrainingContext, firstTrained: Int = 0) {
        guard let x = input else { preconditionFailure("backward before forward") }
        if layers.isEmpty {
            dx?.data.update(from: dy.data, count: dy.shape.count)
            return
        }
        var g = dy
        for i in stride(from: layers.count - 1, through: firstTrained, by: -1) {
            let layer = layers[i]
            let layerInput = i == 0 ? x : output(i - 1)
            let needsInput = i > firstTrained || (i == 0 && dx != nil)
            let target: FeatureMap? = needsInput ? (i == 0 ? dx : gradients[i - 1].map(layers[i - 1].outputShape.batch(batch))) : nil
            layer.backward(x: layerInput, y: output(i), dy: g, dx: target, context: context)
            if let target { g = target }
        }
    }
}

/// out = body(x) + shortcut(x) with dlib's `add_prev` rule: the larger size in every dimension, the missing part
/// of the smaller operand counting as 0. Backward: each branch receives the part of dy it contributed to, and
/// dx is the sum of both branches' input gradients.
final class ResidualLayer: TrainingLayer {
    let body: LayerSequence
    let shortcut: LayerSequence
    let inputShape: ImageShape
    let outputShape: ImageShape
    private let bodyGradient = FloatBuffer(), shortcutGradient = FloatBuffer()
    private let bodyInputGradient = FloatBuffer(), shortcutInputGradient = FloatBuffer()
    private var bodyOut: FeatureMap?, shortcutOut: FeatureMap?

    init(body: LayerSequence, shortcut: LayerSequence, resolved: ResolvedLayer) {
        self.body = body
        self.shortcut = shortcut
        inputShape = resolved.inputShape
        outputShape = resolved.outputShape
    }

    func forward(_ x: FeatureMap, into y: FeatureMap, context: TrainingContext) {
        let a = body.forward(x, context: context)
        let b = shortcut.forward(x, context: context)
        bodyOut = a
        shortcutOut = b
        ResidualAdd.forward(a, b, into: y)
    }

    /// The part of `dy` that lands on an operand of `shape` (the leading corner in every dimension).
    private func crop(_ dy: FeatureMap, to shape: Shape4, buffer: FloatBuffer) -> FeatureMap {
        if dy.shape == shape { return dy }
        let out = buffer.map(shape)
        for n in 0..<shape.n {
            for c in 0..<shape.c {
                let src = dy.plane(n, c), dst = out.plane(n, c)
                for yy in 0..<shape.h { (dst + yy * shape.w).update(from: src + yy * dy.shape.w, count: shape.w) }
            }
        }
        return out
    }

    func backward(x: FeatureMap, y: FeatureMap, dy: FeatureMap, dx: FeatureMap?, context: TrainingContext) {
        guard let a = bodyOut, let b = shortcutOut else { preconditionFailure("backward before forward") }
        let da = crop(dy, to: a.shape, buffer: bodyGradient)
        let db = crop(dy, to: b.shape, buffer: shortcutGradient)
        let dxa = dx.map { _ in bodyInputGradient.map(x.shape) }
        body.backward(dy: da, dx: dxa, context: context)
        let dxb = dx.map { _ in shortcutInputGradient.map(x.shape) }
        shortcut.backward(dy: db, dx: dxb, context: context)
        if let dx, let dxa, let dxb {
            for i in 0..<dx.shape.count { dx.data[i] = dxa.data[i] + dxb.data[i] }
        }
    }
}
