extension RGBImage {
    /// This image resampled to `width × height` pixels by bilinear interpolation, with dlib's `resize_image`
    /// geometry: output pixel (c, r) samples the input at (c·sx, r·sy) (accumulated by repeated addition, as dlib does) with `sx = (W−1)/max(w−1, 1)`,
    /// `sy = (H−1)/max(h−1, 1)`, so corners map to corners; right/bottom neighbours are clamped to the edge and
    /// each channel is truncated to 0…255 (dlib's `assign_pixel` from float). Used when a chip is not 150×150.
    /// - Precondition: width, height > 0.
    public func resized(width newWidth: Int, height newHeight: Int) -> RGBImage {
        precondition(newWidth > 0 && newHeight > 0, "RGBImage.resized: size \(newWidth)x\(newHeight) must be positive")
        if newWidth == width && newHeight == height { return self }
        let W = width, H = height
        let xScale = Double(W - 1) / Double(max(newWidth - 1, 1))
        let yScale = Double(H - 1) / Double(max(newHeight - 1, 1))
        let out = pixels.withUnsafeBufferPointer { src in
            [UInt8](unsafeUninitializedCapacity: newWidth * newHeight * 3) { dst, count in   // [newHeight, newWidth, 3]
                var y = -yScale   // accumulated like dlib (y += scale), not r * scale: same floor() boundaries
                for r in 0..<newHeight {
                    y += yScale
                    let top = min(Int(y.rounded(.down)), H - 1)
                    let bottom = min(top + 1, H - 1)
                    let tb = y - Double(top)
                    var x = -xScale
                    for c in 0..<newWidth {
                        x += xScale
                        let left = min(Int(x.rounded(.down)), W - 1)
                        let right = min(left + 1, W - 1)
                        let lr = x - Double(left)
                        let tl = (top * W + left) * 3, tr = (top * W + right) * 3
                        let bl = (bottom * W + left) * 3, br = (bottom * W + right) * 3
                        let d = (r * newWidth + c) * 3
                        for ch in 0..<3 {
                            let v = (1 - tb) * ((1 - lr) * Double(src[tl + ch]) + lr * Double(src[tr + ch]))
                                + tb * ((1 - lr) * Double(src[bl + ch]) + lr * Double(src[br + ch]))
                            dst[d + ch] = UInt8(min(max(v, 0), 255))
                        }
                    }
                }
                count = newWidth * newHeight * 3
            }
        }
        return RGBImage(uncheckedWidth: newWidth, height: newHeight, pixels: out)
    }
}
