/// Max and average pooling with dlib's semantics (`max_pool`, `avg_pool`).
///
/// Window (oy, ox) covers input rows `oy·sy − py ..< +kh` and columns `ox·sx − px ..< +kw`, clipped to
/// the plane; the max or the mean is taken over the clipped window (padding never contributes, the mean
/// divides by the number of elements inside the plane). Output size `1 + (H + 2·py − kh) / sy` (floored).
/// A kernel of 0×0 means the whole plane (dlib's `avg_pool_everything`): output [N, C, 1, 1].
public struct Pooling: Sendable, Equatable {
    public enum Kind: String, Sendable { case max, average }

    public let kind: Kind
    /// (kh, kw) in pixels; (0, 0) = whole plane.
    public let kernelHeight: Int, kernelWidth: Int
    public let strideY: Int, strideX: Int
    public let paddingY: Int, paddingX: Int

    /// Preconditions: kernel both 0 (global) or both ≥ 1, strides ≥ 1, 0 ≤ padding < kernel.
    public init(_ kind: Kind, kernel: (height: Int, width: Int), stride: (y: Int, x: Int), padding: (y: Int, x: Int) = (0, 0)) {
        let global = kernel.height == 0 && kernel.width == 0
        precondition(global || (kernel.height >= 1 && kernel.width >= 1), "pooling: kernel must be 0×0 or ≥ 1×1")
        precondition(stride.y >= 1 && stride.x >= 1, "pooling: stride must be ≥ 1")
        precondition(global ? (padding.y == 0 && padding.x == 0)
                            : (padding.y >= 0 && padding.x >= 0 && padding.y < kernel.height && padding.x < kernel.width),
                     "pooling: padding must be in 0..<kernel (0 for a global pool)")
        self.kind = kind
        kernelHeight = kernel.height; kernelWidth = kernel.width
        strideY = stride.y; strideX = stride.x
        paddingY = padding.y; paddingX = padding.x
    }

    /// Pooling over the whole plane: [N, C, H, W] → [N, C, 1, 1].
    public static func global(_ kind: Kind) -> Pooling { Pooling(kind, kernel: (0, 0), stride: (1, 1)) }

    public var isGlobal: Bool { kernelHeight == 0 && kernelWidth == 0 }

    /// The output shape for `input` (precondition: the window fits the padded input).
    public func outputShape(for input: Shape4) -> Shape4 {
        if isGlobal { return Shape4(n: input.n, c: input.c, h: 1, w: 1) }
        precondition(input.h + 2 * paddingY >= kernelHeight && input.w + 2 * paddingX >= kernelWidth,
                     "pooling: input \(input.h)×\(input.w) smaller than window \(kernelHeight)×\(kernelWidth)")
        return Shape4(n: input.n, c: input.c, h: 1 + (input.h + 2 * paddingY - kernelHeight) / strideY,
                      w: 1 + (input.w + 2 * paddingX - kernelWidth) / strideX)
    }

    /// `input` `[N, C, H, W]` → `output` `[N, C, Ho, Wo]` (must not alias).
    public func forward(_ input: FeatureMap, into output: FeatureMap) {
        let out = outputShape(for: input.shape)
        precondition(output.shape == out, "pooling: output is \(output.shape), expected \(out)")
        let h = input.shape.h, w = input.shape.w
        let kh = isGlobal ? h : kernelHeight, kw = isGlobal ? w : kernelWidth
        if paddingY == 0 && paddingX == 0 {
            forwardUnpadded(input, into: output, kh: kh, kw: kw)
            return
        }
        for n in 0..<out.n {
            for c in 0..<out.c {
                let src = input.plane(n, c), dst = output.plane(n, c)
                for oy in 0..<out.h {
                    let y0 = max(0, oy * strideY - paddingY), y1 = min(h, oy * strideY - paddingY + kh)
                    for ox in 0..<out.w {
                        let x0 = max(0, ox * strideX - paddingX), x1 = min(w, ox * strideX - paddingX + kw)
                        var value: Float
                        if kind == .max {
                            value = -Float.infinity
                            for y in y0..<y1 { for x in x0..<x1 { let v = src[y * w + x]; if v > value { value = v } } }
                        } else {
                            value = 0
                            for y in y0..<y1 { for x in x0..<x1 { value += src[y * w + x] } }
                            value /= Float((y1 - y0) * (x1 - x0))
                        }
                        dst[oy * out.w + ox] = value
                    }
                }
            }
        }
    }

    /// Without padding every window is whole: fixed trip counts, no clipping (the encoder's pools).
    private func forwardUnpadded(_ input: FeatureMap, into output: FeatureMap, kh: Int, kw: Int) {
        let out = output.shape, w = input.shape.w
        let sy = strideY, sx = strideX
        let scale = 1 / Float(kh * kw)
        for plane in 0..<(out.n * out.c) {
            let src = input.data + plane * input.shape.planeCount
            let dst = output.data + plane * out.planeCount
            for oy in 0..<out.h {
                let rowBase = src + oy * sy * w
                let d = dst + oy * out.w
                // Row-wise over all outputs for each kernel tap: independent lanes that vectorise (a
                // per-output running max is latency-bound; a branchy max mispredicts on activations).
                if kind == .max {
                    for ox in 0..<out.w { d[ox] = rowBase[ox * sx] }
                } else {
                    for ox in 0..<out.w { d[ox] = 0 }
                }
                for ky in 0..<kh {
                    for kx in 0..<kw {
                        let r = rowBase + ky * w + kx
                        switch (kind, sx) {
                        case (.max, 2): for ox in 0..<out.w { let v = r[2 * ox], m = d[ox]; d[ox] = v > m ? v : m }
                        case (.max, 1): for ox in 0..<out.w { let v = r[ox], m = d[ox]; d[ox] = v > m ? v : m }
                        case (.max, _): for ox in 0..<out.w { let v = r[ox * sx], m = d[ox]; d[ox] = v > m ? v : m }
                        case (.average, 2): for ox in 0..<out.w { d[ox] += r[2 * ox] }
                        case (.average, 1): for ox in 0..<out.w { d[ox] += r[ox] }
                        case (.average, _): for ox in 0..<out.w { d[ox] += r[ox * sx] }
                        }
                    }
                }
                if kind == .average { for ox in 0..<out.w { d[ox] *= scale } }
            }
        }
    }
}
