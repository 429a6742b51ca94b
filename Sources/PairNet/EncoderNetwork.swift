import NetLayers
import WeightStore

/// The encoder's weights, checked against `ResNetTopology` and ready to run (immutable, `Sendable`).
///
/// Folding at load time: every `con · affine` pair is stored as one `Convolution` with
/// w' = γ·w and b' = γ·b + β (see `Convolution.foldingAffine`), so the forward pass never runs an affine
/// layer; the ReLU and residual add that follow are fused into the convolution's output pass.
struct EncoderNetwork: Sendable {
    struct Block: Sendable {
        /// 3×3, stride 2 (down) or 1, affine folded; followed by ReLU.
        let conv1: Convolution
        /// 3×3/1 p1, affine folded; followed by the residual add and ReLU.
        let conv2: Convolution
        /// Whether the shortcut is `avg_pool 2×2/2` of the block input (else the input itself).
        let down: Bool
    }

    let stem: Convolution               // 3 → 32, 7×7/2, affine folded
    let stemPool: Pooling               // max 3×3/2
    let blocks: [Block]                 // 14
    let shortcutPool: Pooling           // avg 2×2/2
    let finalPool: Pooling              // global average
    let fc: FullyConnected              // [256, 128], no bias
    /// `[3]`: subtracted from R, G, B (0…255 scale).
    let meanRGB: [Float]
    /// Multiplies (pixel − mean); 1/256 in dlib's file.
    let inputScale: Float
    /// The file's `fingerprint` attribute.
    let fingerprint: String
    /// The file the weights came from (for messages).
    let fileName: String

    /// Reads and checks every attribute and record of `archive` (an `encoder.h5`), in file order; throws
    /// `PairNetError.topologyMismatch` naming the file and the first mismatch, or the `WeightStoreError` of a
    /// missing/misshapen tensor or attribute.
    init(archive: WeightArchive) throws {
        let path = archive.fileName
        func require<T: Equatable>(_ item: String, _ expected: T, _ found: T) throws {
            if expected != found {
                throw PairNetError.topologyMismatch(path: path, item: item, expected: "\(expected)", found: "\(found)")
            }
        }
        try require("attribute network", ResNetTopology.networkName, try archive.string("network"))
        try require("attribute input_size", [ResNetTopology.inputSize, ResNetTopology.inputSize], try archive.integers("input_size"))
        try require("attribute embedding_dimension", ResNetTopology.embeddingDimension, try archive.integer("embedding_dimension"))
        let mean = try archive.floats("input_mean_rgb")
        try require("attribute input_mean_rgb (count)", 3, mean.count)
        meanRGB = mean.map { Float($0) }
        inputScale = Float(try archive.float("input_scale"))
        fingerprint = try archive.string("fingerprint")
        fileName = path

        var reader = RecordReader(archive: archive)
        // Records are checked in order, so the first mismatching record is the one reported, even when the
        // count differs too (e.g. the detector's 20 records).
        let count = try archive.integer("count", on: "layers")

        var channels = 3
        stem = try reader.convolution(input: channels, count: count)
        channels = stem.outputChannels
        try reader.expect(.relu, count: count)
        try reader.expect(.maxPool(kernel: [3, 3], stride: [2, 2], padding: [0, 0]), count: count)
        stemPool = Pooling(.max, kernel: (3, 3), stride: (2, 2))

        var blocks: [Block] = []
        for spec in ResNetTopology.blocks {
            let conv1 = try reader.convolution(input: channels, count: count)
            try reader.expect(.relu, count: count)
            let conv2 = try reader.convolution(input: conv1.outputChannels, count: count)
            if spec.down { try reader.expect(.avgPool(kernel: [2, 2], stride: [2, 2], padding: [0, 0]), count: count) }
            try reader.expect(.addPrev, count: count)
            try reader.expect(.relu, count: count)
            blocks.append(Block(conv1: conv1, conv2: conv2, down: spec.down))
            channels = max(channels, conv2.outputChannels)
        }
        self.blocks = blocks
        shortcutPool = Pooling(.average, kernel: (2, 2), stride: (2, 2))
        try reader.expect(.avgPool(kernel: [0, 0], stride: [1, 1], padding: [0, 0]), count: count)
        finalPool = .global(.average)
        fc = try reader.fullyConnected(count: count)
        try require("attribute layers/count", ResNetTopology.records.count, count)
        // Each layer's Winograd form for its plane is packed now rather than on the first face, and no form a
        // layer's plane never uses is made (the 4×4 and 2×2 layers run im2col).
        forEachConvolution(faces: 1) { conv, input in conv.prepare(for: input) }
    }

    /// Calls `convolution` with every convolution and its input shape for a pass over `faces` faces, in order,
    /// and `blockOutput` with each residual block's output shape.
    func forEachConvolution(faces: Int, _ convolution: (Convolution, Shape4) -> Void, blockOutput: (Shape4) -> Void = { _ in }) {
        var shape = Shape4(n: faces, c: 3, h: ResNetTopology.inputSize, w: ResNetTopology.inputSize)
        convolution(stem, shape)
        shape = stemPool.outputShape(for: stem.outputShape(for: shape))
        for b in blocks {
            convolution(b.conv1, shape)
            let s1 = b.conv1.outputShape(for: shape)
            convolution(b.conv2, s1)
            shape = b.conv2.outputShape(for: s1).union(b.down ? shortcutPool.outputShape(for: shape) : shape)
            blockOutput(shape)
        }
    }

    /// Multiply-adds ×2 of one face through every convolution and the fc layer (0.542 GFLOP).
    var flopsPerFace: Double {
        var macs = fc.numInputs * fc.numOutputs
        forEachConvolution(faces: 1) { conv, input in macs += conv.multiplyAdds(for: input) }
        return 2 * Double(macs)
    }
}

/// Walks `/layers/NNN` in order, comparing each record with `ResNetTopology.records`.
private struct RecordReader {
    let archive: WeightArchive
    var index = 0

    init(archive: WeightArchive) { self.archive = archive }

    /// The record stored at `index` (its type and hyper-parameters).
    private func found(at i: Int) throws -> ResNetTopology.Record {
        let path = ResNetTopology.recordPath(i)
        switch try archive.string("type", on: path) {
        case "con":
            return .con(filters: try archive.integer("num_filters", on: path), kernel: try archive.integers("kernel", on: path),
                        stride: try archive.integers("stride", on: path), padding: try archive.integers("padding", on: path))
        case "affine": return .affine(mode: try archive.integer("mode", on: path))
        case "relu": return .relu
        case "add_prev": return .addPrev
        case "max_pool", "avg_pool":
            let k = try archive.integers("kernel", on: path), s = try archive.integers("stride", on: path)
            let p = try archive.integers("padding", on: path)
            return try archive.string("type", on: path) == "max_pool" ? .maxPool(kernel: k, stride: s, padding: p)
                                                                      : .avgPool(kernel: k, stride: s, padding: p)
        case "fc":
            return .fc(inputs: try archive.integer("num_inputs", on: path), outputs: try archive.integer("num_outputs", on: path),
                       hasBias: try archive.integer("has_bias", on: path) != 0)
        case let other: return .other(type: other)
        }
    }

    /// Checks that the next record is `expected` and advances; returns its path.
    @discardableResult
    mutating func expect(_ expected: ResNetTopology.Record, count: Int) throws -> String {
        precondition(ResNetTopology.records[index] == expected, "topology table and loader disagree at record \(index)")
        let path = ResNetTopology.recordPath(index)
        guard index < count else {
            throw PairNetError.topologyMismatch(path: archive.fileName, item: "layer \(path.dropFirst(7))",
                                                expected: expected.description, found: "no record (layers/count is \(count))")
        }
        let actual = try found(at: index)
        if actual != expected {
            throw PairNetError.topologyMismatch(path: archive.fileName, item: "layer \(path.dropFirst(7))",
                                                expected: expected.description, found: actual.description)
        }
        index += 1
        return path
    }

    /// The next `con` + `affine` pair, folded into one convolution taking `input` channels.
    mutating func convolution(input: Int, count: Int) throws -> Convolution {
        guard case .con(let f, let k, let s, let p) = ResNetTopology.records[index] else {
            preconditionFailure("topology table has no con at record \(index)")
        }
        let conPath = try expect(ResNetTopology.records[index], count: count)
        let weight = try archive.tensor(conPath + "/weight", shape: [f, input, k[0], k[1]])
        let bias = try archive.tensor(conPath + "/bias", shape: [f])
        let affinePath = try expect(.affine(mode: 0), count: count)
        let gamma = try archive.tensor(affinePath + "/gamma", shape: [f])
        let beta = try archive.tensor(affinePath + "/beta", shape: [f])
        return Convolution(outputChannels: f, inputChannels: input, kernel: (k[0], k[1]), stride: (s[0], s[1]),
                           padding: (p[0], p[1]), weights: weight.values, bias: bias.values)
            .foldingAffine(gamma: gamma.values, beta: beta.values)
    }

    /// The final `fc` record.
    mutating func fullyConnected(count: Int) throws -> FullyConnected {
        guard case .fc(let i, let o, _) = ResNetTopology.records[index] else {
            preconditionFailure("topology table has no fc at record \(index)")
        }
        let path = try expect(ResNetTopology.records[index], count: count)
        let weight = try archive.tensor(path + "/weight", shape: [i, o])
        return FullyConnected(numInputs: i, numOutputs: o, weights: weight.values)
    }
}
