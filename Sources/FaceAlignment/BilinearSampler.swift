import Foundation

/// dlib's `transform_image` with `interpolate_bilinear` into an RGB output: each output pixel (c, r)
/// samples the source at `map(c, r)`; samples whose 2×2 neighbourhood is not fully inside the source are
/// black (dlib's `black_background`).
enum BilinearSampler {
    /// The source: a `width × height` window of an interleaved RGB buffer whose rows are `rowStride`
    /// pixels apart, starting at pixel index `origin` (a `sub_image` without copying).
    struct Window {
        var origin: Int
        var rowStride: Int
        var width: Int
        var height: Int
    }

    /// The sample of the window at `p` (pixels of the window; pixel centres at integer coordinates),
    /// written to `dst[d..<d+3]`, or false (nothing written) when floor(p) + (1, 1) falls outside. Each
    /// channel is the bilinear mix in Double, truncated toward zero (dlib's `vector_to_pixel`).
    @inline(__always)
    static func sample(_ src: UnsafeBufferPointer<UInt8>, _ win: Window,
                       x: Double, y: Double, into dst: UnsafeMutableBufferPointer<UInt8>, at d: Int) -> Bool {
        let fx = x.rounded(.down), fy = y.rounded(.down)
        // Guard before converting: NaN and huge values must not trap.
        guard fx >= 0, fy >= 0, fx < Double(win.width - 1), fy < Double(win.height - 1) else { return false }
        let left = Int(fx), top = Int(fy)
        let lr = x - fx, tb = y - fy
        let tl = (win.origin + top * win.rowStride + left) * 3, tr = tl + 3
        let bl = tl + win.rowStride * 3, br = bl + 3
        for ch in 0..<3 {
            let v = (1 - tb) * ((1 - lr) * Double(src[tl + ch]) + lr * Double(src[tr + ch]))
                + tb * ((1 - lr) * Double(src[bl + ch]) + lr * Double(src[br + ch]))
            dst[d + ch] = UInt8(v)
        }
        return true
    }

    /// A `width × height` RGB buffer (`[height, width, 3]`) where pixel (c, r) = bilinear sample of the
    /// window of `pixels` at `map.apply((c, r))`, black outside. An empty window gives all black.
    static func transform(_ pixels: [UInt8], window: Window, width: Int, height: Int,
                          map: AffineTransform2D) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: width * height * 3)   // [height, width, 3]
        guard window.width > 0, window.height > 0 else { return out }
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for r in 0..<height {
                    let y = Double(r)
                    for c in 0..<width {
                        let x = Double(c)
                        // dlib: m*p + b, i.e. (m00·x + m01·y) + tx.
                        _ = sample(src, window, x: map.m00 * x + map.m01 * y + map.tx,
                                   y: map.m10 * x + map.m11 * y + map.ty, into: dst, at: (r * width + c) * 3)
                    }
                }
            }
        }
        return out
    }

    /// `transform` over a whole buffer.
    static func transform(_ source: RGBBuffer, width: Int, height: Int, map: AffineTransform2D) -> [UInt8] {
        transform(source.pixels, window: Window(origin: 0, rowStride: source.width, width: source.width,
                                                height: source.height), width: width, height: height, map: map)
    }
}
