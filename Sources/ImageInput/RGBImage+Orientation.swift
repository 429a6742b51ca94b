extension RGBImage {
    /// This image transformed for display by an EXIF orientation (see `EXIFOrientation`): for 5–8 the result is
    /// `height × width`. Display pixel (dx, dy) is read from stored pixel (sx, sy) where, with W×H the stored size:
    /// 2: (W−1−dx, dy) · 3: (W−1−dx, H−1−dy) · 4: (dx, H−1−dy) · 5: (dy, dx) · 6: (dy, H−1−dx) ·
    /// 7: (W−1−dy, H−1−dx) · 8: (W−1−dy, dx).
    public func applying(_ orientation: EXIFOrientation) -> RGBImage {
        if orientation == .up { return self }
        let W = width, H = height
        let (ow, oh) = orientation.swapsDimensions ? (H, W) : (W, H)
        let out = pixels.withUnsafeBufferPointer { src in
            [UInt8](unsafeUninitializedCapacity: W * H * 3) { dst, count in   // [oh, ow, 3]
                for dy in 0..<oh {
                    for dx in 0..<ow {
                        let sx: Int, sy: Int
                        switch orientation {
                        case .up: (sx, sy) = (dx, dy)
                        case .upMirrored: (sx, sy) = (W - 1 - dx, dy)
                        case .down: (sx, sy) = (W - 1 - dx, H - 1 - dy)
                        case .downMirrored: (sx, sy) = (dx, H - 1 - dy)
                        case .leftMirrored: (sx, sy) = (dy, dx)
                        case .right: (sx, sy) = (dy, H - 1 - dx)
                        case .rightMirrored: (sx, sy) = (W - 1 - dy, H - 1 - dx)
                        case .left: (sx, sy) = (W - 1 - dy, dx)
                        }
                        let s = (sy * W + sx) * 3, d = (dy * ow + dx) * 3
                        dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2]
                    }
                }
                count = W * H * 3
            }
        }
        return RGBImage(uncheckedWidth: ow, height: oh, pixels: out)
    }
}
