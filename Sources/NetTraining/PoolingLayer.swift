import LayerGraph
import NetLayers

/// Max or average pooling with dlib's semantics (`PoolSpec`): window (oy, ox) covers rows
/// `oy·sy − py ..< +kh` and columns `ox·sx − px ..< +kw` clipped to the plane; a kernel of 0×0 is the whole plane.
///
/// Max: the gradient goes to the first maximum in row-major window order (ties), recorded in forward as an index
/// into the input plane; overlapping windows add. Average: each element inside the window gets dy / (elements inside).
final class PoolingLayer: TrainingLayer {
    let isMax: Bool
    let inputShape: ImageShape
    let outputShape: ImageShape
    let kh: Int, kw: Int, sy: Int, sx: Int, py: Int, px: Int
    /// Max pool: the input-plane index of each output's maximum, `[N, C, Ho, Wo]`.
    private var argmax: [Int32] = []

    init(spec: PoolSpec, isMax: Bool, resolved: ResolvedLayer) {
        self.isMax = isMax
        inputShape = resolved.inputShape
        outputShape = resolved.outputShape
        if spec.isGlobal {
            kh = inputShape.h; kw = inputShape.w; sy = 1; sx = 1; py = 0; px = 0
        } else {
            kh = spec.kernelHeight; kw = spec.kernelWidth; sy = spec.strideY; sx = spec.strideX
            py = spec.paddingY; px = spec.paddingX
        }
    }

    /// The clipped window of output (oy, ox): rows y0..<y1, columns x0..<x1.
    @inline(__always)
    private func window(_ oy: Int, _ ox: Int) -> (Int, Int, Int, Int) {
        let y0 = max(0, oy * sy - py), y1 = min(inputShape.h, oy * sy - py + kh)
        let x0 = max(0, ox * sx - px), x1 = min(inputShape.w, ox * sx - px + kw)
        return (y0, y1, x0, x1)
    }

    func forward(_ x: FeatureMap, into y: FeatureMap, context: TrainingContext) {
        let planes = x.shape.n * inputShape.c
        let inPlane = inputShape.h * inputShape.w, outPlane = outputShape.h * outputShape.w
        let w = inputShape.w, ho = outputShape.h, wo = outputShape.w
        if isMax && argmax.count < planes * outPlane { argmax = [Int32](repeating: 0, count: planes * outPlane) }
        let ranges = ParallelChunks.ranges(planes, count: planes >= 64 ? 2 : 1)
        argmax.withUnsafeMutableBufferPointer { ab in
            nonisolated(unsafe) let am = ab.baseAddress
            context.chunks.run(ranges.count) { chunk, _ in
                for plane in ranges[chunk] {
                    let src = x.data + plane * inPlane, dst = y.data + plane * outPlane
                    for oy in 0..<ho {
                        for ox in 0..<wo {
                            let (y0, y1, x0, x1) = window(oy, ox)
                            if isMax {
                                var best = y0 * w + x0
                                var m = src[best]
                                for yy in y0..<y1 {
                                    for xx in x0..<x1 {
                                        let v = src[yy * w + xx]
                                        if v > m { m = v; best = yy * w + xx }
                                    }
                                }
                                dst[oy * wo + ox] = m
                                am![plane * outPlane + oy * wo + ox] = Int32(best)
                            } else {
                                var s: Float = 0
                                for yy in y0..<y1 { for xx in x0..<x1 { s += src[yy * w + xx] } }
                                dst[oy * wo + ox] = s / Float((y1 - y0) * (x1 - x0))
                            }
                        }
                    }
                }
            }
        }
    }

    func backward(x: FeatureMap, y: FeatureMap, dy: FeatureMap, dx: FeatureMap?, context: TrainingContext) {
        guard let dx else { return }
        let planes = x.shape.n * inputShape.c
        let inPlane = inputShape.h * inputShape.w, outPlane = outputShape.h * outputShape.w
        let w = inputShape.w, ho = outputShape.h, wo = outputShape.w
        let ranges = ParallelChunks.ranges(planes, count: planes >= 64 ? 2 : 1)
        argmax.withUnsafeBufferPointer { ab in
            nonisolated(unsafe) let am = ab.baseAddress
            context.chunks.run(ranges.count) { chunk, _ in
                for plane in ranges[chunk] {
                    let g = dy.data + plane * outPlane, d = dx.data + plane * inPlane
                    d.update(repeating: 0, count: inPlane)
                    if isMax {
                        let idx = am! + plane * outPlane
                        for i in 0..<outPlane { d[Int(idx[i])] += g[i] }
                    } else {
                        for oy in 0..<ho {
                            for ox in 0..<wo {
                                let (y0, y1, x0, x1) = window(oy, ox)
                                let share = g[oy * wo + ox] / Float((y1 - y0) * (x1 - x0))
                                for yy in y0..<y1 { for xx in x0..<x1 { d[yy * w + xx] += share } }
                            }
                        }
                    }
                }
            }
        }
    }
}
