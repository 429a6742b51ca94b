import ImageInput
import NetLayers

extension TiledPyramidLayout {
    /// Writes the network input for `image` into `map` (`[1, 3, height, width]` of this layout), as dlib's
    /// `input_rgb_image_pyramid::to_tensor`: everything zero, level 0 = (pixel − mean)·scale per channel
    /// (planar R, G, B), then each level k ≥ 1 resized bilinearly from level k − 1 **in the float tensor**
    /// (`resizeBilinearDlib`). Precondition: the layout was made for `image`'s size.
    public func render(_ image: RGBImage, mean: (r: Float, g: Float, b: Float), scale: Float, into map: FeatureMap) {
        precondition(map.shape == Shape4(n: 1, c: 3, h: height, w: width), "render: map \(map.shape) for a \(height)×\(width) layout")
        precondition(levels[0].width == image.width && levels[0].height == image.height, "render: layout is for another image size")
        map.data.update(repeating: 0, count: map.shape.count)
        let means = [mean.r, mean.g, mean.b]
        let l0 = levels[0], w = image.width
        image.pixels.withUnsafeBufferPointer { px in
            for c in 0..<3 {
                let plane = map.plane(0, c), m = means[c]
                for y in 0..<image.height {
                    let dst = plane + (l0.top + y) * width + l0.left
                    let src = px.baseAddress! + y * w * 3 + c
                    for x in 0..<w { dst[x] = (Float(src[3 * x]) - m) * scale }
                }
            }
        }
        for c in 0..<3 {
            let plane = map.plane(0, c)
            for k in 1..<max(1, levels.count) {
                let s = levels[k - 1], d = levels[k]
                resizeBilinearDlib(source: UnsafePointer(plane + s.top * width + s.left), sourceHeight: s.height,
                                   sourceWidth: s.width, sourceStride: width,
                                   destination: plane + d.top * width + d.left, height: d.height, width: d.width,
                                   destinationStride: width)
            }
        }
    }
}

/// dlib's float-image `resize_image(in, out)` with bilinear interpolation (the SIMD version that
/// `tt::resize_bilinear` uses on the CPU), reproduced operation for operation so that the pyramid levels are
/// bit-identical: scales (in − 1)/(out − 1) in double; row position accumulated in double; columns in groups
/// of four with float positions accumulated in float, truncated to integers, float weights
/// tl = (1−ty)(1−tx), …, summed as ((tl·a + tr·b) + bl·c) + br·d; the last columns (where the right
/// neighbour would fall outside) with the scalar formula in mixed float/double as dlib writes it.
///
/// - Parameters: `source` `[sourceHeight, sourceWidth]` with row stride `sourceStride`; `destination`
///   `[height, width]` with row stride `destinationStride`. All sizes > 0.
public func resizeBilinearDlib(source: UnsafePointer<Float>, sourceHeight sh: Int, sourceWidth sw: Int, sourceStride: Int,
                               destination: UnsafeMutablePointer<Float>, height dh: Int, width dw: Int,
                               destinationStride: Int) {
    guard sh > 0, sw > 0, dh > 0, dw > 0 else { return }
    let xScale = Double(sw - 1) / Double(max(dw - 1, 1))
    let yScale = Double(sh - 1) / Double(max(dh - 1, 1))
    var y = -yScale
    for r in 0..<dh {
        y += yScale
        let top = Int(y.rounded(.down))
        let bottom = min(top + 1, sh - 1)
        let tbFrac = y - Double(top)
        let rowT = source + top * sourceStride, rowB = source + bottom * sourceStride
        let out = destination + r * destinationStride
        let tb = Float(tbFrac), invTb = Float(1 - tbFrac)
        let step = Float(4 * xScale)
        let x0 = -4 * xScale
        var x4 = (Float(x0), Float(x0 + xScale), Float(x0 + 2 * xScale), Float(x0 + 3 * xScale))
        var c = 0
        while true {
            x4 = (x4.0 + step, x4.1 + step, x4.2 + step, x4.3 + step)
            let l = (Int(Int32(x4.0)), Int(Int32(x4.1)), Int(Int32(x4.2)), Int(Int32(x4.3)))
            if l.3 + 1 >= sw || c + 4 > dw { break }
            @inline(__always) func sample(_ xv: Float, _ left: Int) -> Float {
                let lr = xv - Float(left), inv = 1 - lr
                let tlf = invTb * inv, trf = invTb * lr, blf = tb * inv, brf = tb * lr
                var v = tlf * rowT[left]
                v = v + trf * rowT[left + 1]
                v = v + blf * rowB[left]
                v = v + brf * rowB[left + 1]
                return v
            }
            out[c] = sample(x4.0, l.0)
            out[c + 1] = sample(x4.1, l.1)
            out[c + 2] = sample(x4.2, l.2)
            out[c + 3] = sample(x4.3, l.3)
            c += 4
        }
        var x = -xScale + Double(c) * xScale
        while c < dw {
            x += xScale
            let left = Int(x.rounded(.down))
            let right = min(left + 1, sw - 1)
            let lrFrac = Float(x - Double(left))
            let topMix: Float = (1 - lrFrac) * rowT[left] + lrFrac * rowT[right]
            let bottomMix: Float = (1 - lrFrac) * rowB[left] + lrFrac * rowB[right]
            out[c] = Float((1 - tbFrac) * Double(topMix) + tbFrac * Double(bottomMix))
            c += 1
        }
    }
}
