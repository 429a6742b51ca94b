import WeightStore

extension DlibNetwork {
    /// Reads one layer body (type tag, then its fields) as described in DLIB_FORMAT.md §2.2.
    static func readDetails(_ s: inout DlibStream) throws -> NetworkLayer {
        let start = s.offset
        let tag = try s.string()
        switch tag {
        case "con_4", "con_5":
            let params = try s.tensor()
            var layer = NetworkLayer(type: "con")
            let filters = try s.count("num_filters")
            let kernel = [try s.int(), try s.int()]
            let stride = [try s.int(), try s.int()]
            let padding = [try s.int(), try s.int()]
            let filterShape = try s.aliasTensor()
            let biasShape = try s.aliasTensor()
            for _ in 0..<4 { _ = try s.real() }   // learning-rate and weight-decay multipliers
            let useBias = tag == "con_5" ? try s.bool() : true
            let nw = filterShape.reduce(1, *)
            let nb = useBias ? biasShape.reduce(1, *) : 0
            guard params.values.count == nw + nb, filterShape[0] == filters, filterShape[2] == kernel[0], filterShape[3] == kernel[1] else {
                throw s.error("convolution parameters do not match their shapes", at: start)
            }
            layer.attributes = ["num_filters": .integer(Int64(filters)), "kernel": ints(kernel), "stride": ints(stride), "padding": ints(padding)]
            layer.tensors["weight"] = Tensor(shape: filterShape, values: Array(params.values[0..<nw]))
            layer.tensors["bias"] = useBias ? Tensor(shape: [nb], values: Array(params.values[nw...])) : Tensor(shape: [filters], values: [Float](repeating: 0, count: filters))
            return layer
        case "fc_2", "fc_3":
            var layer = NetworkLayer(type: "fc")
            let outputs = try s.count("num_outputs")
            let inputs = try s.count("num_inputs")
            let params = try s.tensor()
            let w = try s.aliasTensor()
            _ = try s.aliasTensor()
            let mode = try s.int()
            for _ in 0..<4 { _ = try s.real() }
            let useBias = tag == "fc_3" ? try s.bool() : true
            let hasBias = mode == 0 && useBias
            let nw = w[0] * w[1]
            guard w[0] == inputs, w[1] == outputs, params.values.count == nw + (hasBias ? outputs : 0) else {
                throw s.error("fully connected parameters do not match their shapes", at: start)
            }
            layer.attributes = ["num_inputs": .integer(Int64(inputs)), "num_outputs": .integer(Int64(outputs)), "has_bias": .integer(hasBias ? 1 : 0)]
            layer.tensors["weight"] = Tensor(shape: [inputs, outputs], values: Array(params.values[0..<nw]))
            if hasBias { layer.tensors["bias"] = Tensor(shape: [outputs], values: Array(params.values[nw...])) }
            return layer
        case "affine_", "affine_2":
            var layer = NetworkLayer(type: "affine")
            let params = try s.tensor()
            let g = try s.aliasTensor().reduce(1, *)
            let b = try s.aliasTensor().reduce(1, *)
            let mode = try s.int()
            let disabled = tag == "affine_2" ? try s.bool() : false
            guard params.values.count == g + b, g == b else { throw s.error("affine parameters do not match their shapes", at: start) }
            layer.attributes = ["mode": .integer(Int64(mode)), "disabled": .integer(disabled ? 1 : 0)]
            layer.tensors["gamma"] = Tensor(shape: [g], values: Array(params.values[0..<g]))
            layer.tensors["beta"] = Tensor(shape: [b], values: Array(params.values[g...]))
            return layer
        case "bn_con2", "bn_fc2":
            var layer = NetworkLayer(type: tag == "bn_con2" ? "bn_con" : "bn_fc")
            let params = try s.tensor()
            let g = try s.aliasTensor().reduce(1, *)
            let b = try s.aliasTensor().reduce(1, *)
            _ = try s.tensor(); _ = try s.tensor()            // means, invstds of the last training batch
            let runningMean = try s.tensor(), runningVar = try s.tensor()
            let updates = try s.int(), window = try s.int()
            for _ in 0..<4 { _ = try s.real() }
            let eps = try s.real()
            guard params.values.count == g + b, runningMean.values.count == g, runningVar.values.count == g else {
                throw s.error("batch-norm parameters do not match their shapes", at: start)
            }
            layer.attributes = ["eps": .float(eps), "num_updates": .integer(Int64(updates)), "running_stats_window_size": .integer(Int64(window))]
            layer.tensors["gamma"] = Tensor(shape: [g], values: Array(params.values[0..<g]))
            layer.tensors["beta"] = Tensor(shape: [b], values: Array(params.values[g...]))
            layer.tensors["running_mean"] = Tensor(shape: [g], values: runningMean.values)
            layer.tensors["running_variance"] = Tensor(shape: [g], values: runningVar.values)
            return layer
        case "max_pool_2", "avg_pool_2":
            var layer = NetworkLayer(type: tag == "max_pool_2" ? "max_pool" : "avg_pool")
            let kernel = [try s.int(), try s.int()]
            let stride = [try s.int(), try s.int()]
            let padding = [try s.int(), try s.int()]
            layer.attributes = ["kernel": ints(kernel), "stride": ints(stride), "padding": ints(padding)]
            return layer
        case "relu_":
            return NetworkLayer(type: "relu")
        case "add_prev_":
            return NetworkLayer(type: "add_prev")
        default:
            throw s.error("unknown layer type '\(tag)'", at: start)
        }
    }

    private static func ints(_ v: [Int]) -> AttributeValue { .integers(v.map { Int64($0) }) }
}
