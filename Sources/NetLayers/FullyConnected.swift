/// A fully connected layer with dlib's orientation (`fc`): out = in · W (+ bias), W `[numInputs, numOutputs]`
/// row-major, i.e. the transpose of PyTorch's `Linear.weight`. The input is each image flattened
/// (`[N, C, H, W]` read as `[N, C·H·W]`, C·H·W == numInputs).
public struct FullyConnected: Sendable {
    public let numInputs: Int
    public let numOutputs: Int
    /// `[numInputs, numOutputs]`.
    public let weights: [Float]
    /// `[numOutputs]`, or nil (dlib `fc_no_bias`).
    public let bias: [Float]?
    /// Wᵀ `[numOutputs, numInputs]` packed for `PackedMatrix.multiplyAdd`.
    let packedTransposedWeights: PackedMatrix

    public init(numInputs: Int, numOutputs: Int, weights: [Float], bias: [Float]? = nil) {
        precondition(weights.count == numInputs * numOutputs, "fc: \(weights.count) weights for [\(numInputs), \(numOutputs)]")
        precondition(bias == nil || bias!.count == numOutputs, "fc: bias must have \(numOutputs) values")
        self.numInputs = numInputs
        self.numOutputs = numOutputs
        self.weights = weights
        self.bias = bias
        packedTransposedWeights = weights.withUnsafeBufferPointer {
            PackedMatrix($0.baseAddress!, rows: numOutputs, depth: numInputs, rowStride: 1, columnStride: numOutputs)
        }
    }

    public func outputShape(for input: Shape4) -> Shape4 {
        precondition(input.imageCount == numInputs, "fc: input \(input) has \(input.imageCount) values per image, layer expects \(numInputs)")
        return Shape4(n: input.n, c: numOutputs, h: 1, w: 1)
    }

    /// `input` `[N, numInputs (as C·H·W)]` → `output` `[N, numOutputs, 1, 1]`: yᵀ `[O, N]` = Wᵀ · xᵀ by
    /// `PackedMatrix` (each output one fixed fold over the inputs, whatever N), then transposed into the output.
    public func forward(_ input: FeatureMap, into output: FeatureMap) {
        let out = outputShape(for: input.shape)
        precondition(output.shape == out, "fc: output is \(output.shape), expected \(out)")
        let n = input.shape.n, o = numOutputs
        let product = UnsafeMutablePointer<Float>.allocate(capacity: o * n + PackedMatrix.scratchCount)   // [O, N], then packing
        defer { product.deallocate() }
        for oc in 0..<o { (product + oc * n).update(repeating: bias?[oc] ?? 0, count: n) }
        packedTransposedWeights.multiplyAdd(UnsafePointer(input.data), ldb: numInputs, bTransposed: true, columns: n,
                                            into: product, ldc: n, scratch: product + o * n)
        for j in 0..<n { for oc in 0..<o { output.data[j * o + oc] = product[oc * n + j] } }
    }

    /// The reference: direct dot products (float32), no BLAS.
    public func forwardNaive(_ input: FeatureMap, into output: FeatureMap) {
        let out = outputShape(for: input.shape)
        precondition(output.shape == out, "fc: output is \(output.shape), expected \(out)")
        for i in 0..<input.shape.n {
            let x = input.image(i), y = output.image(i)
            for o in 0..<numOutputs {
                var acc: Float = bias?[o] ?? 0
                for k in 0..<numInputs { acc += x[k] * weights[k * numOutputs + o] }
                y[o] = acc
            }
        }
    }
}
