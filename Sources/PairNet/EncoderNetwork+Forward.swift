import NetLayers

/// Which convolution/fc implementation a forward pass uses.
enum EncoderAlgorithm: Sendable {
    /// `Convolution.forward(algorithm: .automatic)`: Winograd F(4×4, 3×3) for the 3×3/1 p1 layers on 35×35 planes,
    /// F(2×2, 3×3) on the 17×17, 8×8 and 4×4 ones (by plane, never by batch), im2col + packed product for the
    /// others; fused epilogues. The production path.
    case gemm
    /// NetLayers' naive direct loops: the reference and the benchmark's baseline.
    case naive
}

extension EncoderNetwork {
    /// Embeds `count` chips starting at `chips[first]` into `output` `[count, 128]`, using `workspace`, each
    /// convolution's products split over `layerWorkers` (bitwise the same result for any split).
    ///
    /// Buffer rotation (A, B, C are the workspace's activation buffers):
    /// input → C; stem(C) → B; max_pool(B) → A = x.
    /// Plain block: conv1(x) → B (ReLU); conv2(B) + x → C (ReLU, fused); x = C.
    /// Down block: conv1(x) → B; conv2(B) → C; avg_pool(x) → B; add_prev(C, B) → A (ReLU); x = A.
    func forward(_ chips: [FaceChip], first: Int, count: Int, into output: UnsafeMutablePointer<Float>,
                 workspace: EncoderWorkspace, algorithm: EncoderAlgorithm, scratchLimit: Int, layerWorkers: Workers = .one) {
        workspace.reserve(faces: count, network: self, scratchLimit: scratchLimit)
        let buffers = workspace.activations.map { $0.pointer }
        func conv(_ c: Convolution, _ x: FeatureMap, into buffer: UnsafeMutablePointer<Float>, _ epilogue: ConvEpilogue) -> FeatureMap {
            let y = FeatureMap(shape: c.outputShape(for: x.shape), data: buffer)
            switch algorithm {
            case .gemm: c.forward(x, into: y, epilogue: epilogue, scratch: workspace.scratch, scratchLimit: scratchLimit,
                                  workers: layerWorkers)
            case .naive: c.forwardNaive(x, into: y, epilogue: epilogue)
            }
            return y
        }
        func pool(_ p: Pooling, _ x: FeatureMap, into buffer: UnsafeMutablePointer<Float>) -> FeatureMap {
            let y = FeatureMap(shape: p.outputShape(for: x.shape), data: buffer)
            p.forward(x, into: y)
            return y
        }

        let size = ResNetTopology.inputSize
        let input = FeatureMap(shape: Shape4(n: count, c: 3, h: size, w: size), data: buffers[2])
        for i in 0..<count { writeInput(chips[first + i], into: input.image(i)) }

        var a = buffers[0], b = buffers[1], c = buffers[2]
        var x = pool(stemPool, conv(stem, input, into: b, .relu), into: a)
        for block in blocks {
            let y = conv(block.conv1, x, into: b, .relu)
            if !block.down && block.conv2.outputShape(for: y.shape) == x.shape {
                x = conv(block.conv2, y, into: c, .addThenReLU(x))
                swap(&a, &c)                                   // x now lives in a
            } else {
                let z = conv(block.conv2, y, into: c, .none)
                // Down: the pooled shortcut takes B (y is dead) and the sum A (x is dead once pooled).
                // (A plain block with mismatched shapes, absent from this network, sums into B instead.)
                let shortcut = block.down ? pool(shortcutPool, x, into: b) : x
                let sum = FeatureMap(shape: ResidualAdd.outputShape(z.shape, shortcut.shape), data: block.down ? a : b)
                ResidualAdd.forward(z, shortcut, into: sum, relu: true)
                x = sum
                if !block.down { swap(&a, &b) }
            }
        }
        let pooled = pool(finalPool, x, into: b)                 // [N, 256, 1, 1]
        let embeddings = FeatureMap(shape: fc.outputShape(for: pooled.shape), data: output)   // [N, 128, 1, 1]
        switch algorithm {
        case .gemm: fc.forward(pooled, into: embeddings)
        case .naive: fc.forwardNaive(pooled, into: embeddings)
        }
    }

    /// `(pixel − mean)·scale`, interleaved [150, 150, 3] bytes → planar R, G, B `[3, 150, 150]`.
    private func writeInput(_ chip: FaceChip, into planes: UnsafeMutablePointer<Float>) {
        let hw = ResNetTopology.inputSize * ResNetTopology.inputSize
        let (mr, mg, mb, s) = (meanRGB[0], meanRGB[1], meanRGB[2], inputScale)
        chip.pixels.withUnsafeBufferPointer { px in
            let p = px.baseAddress!
            for i in 0..<hw {
                planes[i] = (Float(p[3 * i]) - mr) * s
                planes[hw + i] = (Float(p[3 * i + 1]) - mg) * s
                planes[2 * hw + i] = (Float(p[3 * i + 2]) - mb) * s
            }
        }
    }
}
