import Foundation

/// dlib's `transform_image` with `interpolate_bilinear` into an RGB output: each output pixel (c, r)
/// samples the source at `map(c, r)`; samples whose 2×2 neighbourhood is not fully inside the source are
/// black (dlib's `black_background`).
enum BilinearSampler {
    /// The sample of `source` at `p` (pixels; pixel centres at integer coordinates), or nil when
    /// floor(p) + (1, 1) falls outside. Each channel is the bilinear mix in Double, truncated toward zero
    /// (dlib's `vector_to_pixel`).
    @inline(__always)
    static func sample(_ src: UnsafeBufferPointer<UInt8>, width W: Int, height H: Int,
                       x: Double, y: Double, into dst: UnsafeMutableBufferPointer<UInt8>, at d: Int) -> Bool {
        let fx = x.rounded(.down), fy = y.rounded(.down)
        // Guard before converting: NaN and huge values must not trap.
        guard fx >= 0, fy >= 0, fx < Double(W - 1), fy < Double(H - 1) else { return false }
        let left = Int(fx), top = Int(fy)
        let lr = x - fx, tb = y - fy
        let tl = (top * W + left) * 3, tr = tl + 3
        let bl = tl + W * 3, br = bl + 3
        for ch in 0..<3 {
            let v = (1 - tb) * ((1 - lr) * Double(src[tl + ch]) + lr * Double(src[tr + ch]))
                + tb * ((1 - lr) * Double(src[bl + ch]) + lr * Double(src[br + ch]))
            dst[d + ch] = UInt8(v)
        }
        return true
    }

    /// A `width × height` RGB buffer where pixel (c, r) = bilinear sample of `source` at
    /// `map.apply((c, r))`, black outside. `source` may be empty (then everything is black).
    static func transform(_ source: RGBBuffer, width: Int, height: Int, map: AffineTransform2D) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: width * height * 3)   // [height, width, 3]
        guard source.width > 0, source.height > 0 else { return out }
        source.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for r in 0..<height {
                    for c in 0..<width {
                        let p = map.apply(SubpixelPoint(x: Double(c), y: Double(r)))
                        _ = sample(src, width: source.width, height: source.height, x: p.x, y: p.y,
                                   into: dst, at: (r * width + c) * 3)
                    }
                }
            }
        }
        return out
    }
}
