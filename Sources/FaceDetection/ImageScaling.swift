import ImageInput

/// Image resampling around detection: dlib's `pyramid_up` (for "upsample N") and a plain bilinear downscale
/// (for images above the pixel bound), each with its box mapping back to the caller's image.
enum ImageScaling {
    /// dlib's `pyramid_up(img, pyramid_down<2>)`: the image resized bilinearly to (2h + 1) rows × (2w + 2)
    /// columns — the size of `rect_up` of the image rectangle, rounded.
    static func pyramidUp(_ image: RGBImage) -> RGBImage {
        resizeBilinear(image, width: 2 * image.width + 2, height: 2 * image.height + 1)
    }

    /// dlib's `pyramid_down<2>::rect_down(rect, levels)`: p ↦ p/2 − (1.25, 0.75) per level, then rounded.
    static func rectDownHalving(_ box: FaceBox, levels: Int) -> FaceBox {
        var r = RealRect(left: Double(box.left), top: Double(box.top), right: Double(box.right), bottom: Double(box.bottom))
        for _ in 0..<max(0, levels) {
            r = RealRect(left: r.left / 2 - 1.25, top: r.top / 2 - 0.75, right: r.right / 2 - 1.25, bottom: r.bottom / 2 - 0.75)
        }
        return r.rounded
    }

    /// `box` in an image resized from `source` (w × h) to `resized` (w' × h') by `resizeBilinear`, mapped back
    /// to the source: column x' samples source column x'·(w − 1)/(w' − 1), likewise rows; then rounded.
    static func mapBack(_ box: FaceBox, from resized: (width: Int, height: Int), to source: (width: Int, height: Int)) -> FaceBox {
        let sx = Double(source.width - 1) / Double(max(resized.width - 1, 1))
        let sy = Double(source.height - 1) / Double(max(resized.height - 1, 1))
        return RealRect(left: Double(box.left) * sx, top: Double(box.top) * sy,
                        right: Double(box.right) * sx, bottom: Double(box.bottom) * sy).rounded
    }

    /// dlib's RGB `resize_image(in, out)` with bilinear interpolation: output (c, r) samples the input at
    /// (c·(w − 1)/(w' − 1), r·(h − 1)/(h' − 1)); groups of four columns use float weights and truncate, the
    /// last columns use double weights and truncate, as dlib's SIMD version does.
    static func resizeBilinear(_ image: RGBImage, width dw: Int, height dh: Int) -> RGBImage {
        precondition(dw > 0 && dh > 0, "resizeBilinear: empty output")
        let sw = image.width, sh = image.height
        var out = [UInt8](repeating: 0, count: dw * dh * 3)                 // [dh, dw, 3]
        let xScale = Double(sw - 1) / Double(max(dw - 1, 1))
        let yScale = Double(sh - 1) / Double(max(dh - 1, 1))
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let s = src.baseAddress!, d = dst.baseAddress!
                var y = -yScale
                for r in 0..<dh {
                    y += yScale
                    let top = Int(y.rounded(.down)), bottom = min(top + 1, sh - 1)
                    let tbFrac = y - Double(top)
                    let rowT = s + top * sw * 3, rowB = s + bottom * sw * 3, o = d + r * dw * 3
                    let tb = Float(tbFrac), invTb = Float(1 - tbFrac), step = Float(4 * xScale)
                    let x0 = -4 * xScale
                    var x4: [Float] = [Float(x0), Float(x0 + xScale), Float(x0 + 2 * xScale), Float(x0 + 3 * xScale)]
                    var c = 0
                    while true {
                        for j in 0..<4 { x4[j] += step }
                        if Int(Int32(x4[3])) + 1 >= sw || c + 4 > dw { break }
                        for j in 0..<4 {
                            let left = Int(Int32(x4[j]))
                            let lr = x4[j] - Float(left), inv = 1 - lr
                            let tlf = invTb * inv, trf = invTb * lr, blf = tb * inv, brf = tb * lr
                            for ch in 0..<3 {
                                var v = tlf * Float(rowT[left * 3 + ch])
                                v = v + trf * Float(rowT[(left + 1) * 3 + ch])
                                v = v + blf * Float(rowB[left * 3 + ch])
                                v = v + brf * Float(rowB[(left + 1) * 3 + ch])
                                o[(c + j) * 3 + ch] = UInt8(clamping: Int(v))
                            }
                        }
                        c += 4
                    }
                    var x = -xScale + Double(c) * xScale
                    while c < dw {
                        x += xScale
                        let left = Int(x.rounded(.down)), right = min(left + 1, sw - 1)
                        let lr = x - Double(left)
                        for ch in 0..<3 {
                            let v = (1 - tbFrac) * ((1 - lr) * Double(rowT[left * 3 + ch]) + lr * Double(rowT[right * 3 + ch]))
                                + tbFrac * ((1 - lr) * Double(rowB[left * 3 + ch]) + lr * Double(rowB[right * 3 + ch]))
                            o[c * 3 + ch] = UInt8(clamping: Int(v))
                        }
                        c += 1
                    }
                }
            }
        }
        return try! RGBImage(width: dw, height: dh, pixels: out)
    }
}
