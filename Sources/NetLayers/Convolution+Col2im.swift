/// col2im: the adjoint of `im2col`, used by the training engine's backward pass (dX = col2im(Wᵀ·dY)).
extension Convolution {
    /// Adds every element of `cols [K, images.count·Ho·Wo]` (row k = (i, ky, kx), column = (image, oy, ox), the
    /// layout `im2col` writes for all output rows) back onto the input position it was read from, in
    /// `gradient [N, I, H, W]` (only images `images` are touched). Padding positions are dropped.
    /// The caller zeroes `gradient`'s images first when it wants col2im(cols) rather than an accumulation.
    public func col2im(_ cols: UnsafePointer<Float>, images: Range<Int>, outputShape out: Shape4,
                       into gradient: FeatureMap) {
        let h = gradient.shape.h, w = gradient.shape.w, wo = out.w, ho = out.h
        let sy = strideY, sx = strideX
        let hw = ho * wo
        let ld = images.count * hw
        for ci in 0..<inputChannels {
            for ky in 0..<kernelHeight {
                for kx in 0..<kernelWidth {
                    let srcRow = cols + ((ci * kernelHeight + ky) * kernelWidth + kx) * ld
                    let ix0 = kx - paddingX                       // input column of ox = 0
                    let (lo, hi) = validOutputColumns(kx: kx, inputWidth: w, outWidth: wo)
                    if hi <= lo { continue }
                    for (j, img) in images.enumerated() {
                        let dst = gradient.plane(img, ci)
                        for oy in 0..<ho {
                            let iy = oy * sy - paddingY + ky
                            if iy < 0 || iy >= h { continue }
                            let s = srcRow + j * hw + oy * wo
                            let d = dst + iy * w + ix0
                            if sx == 1 {
                                for ox in lo..<hi { d[ox] += s[ox] }
                            } else if sx == 2 {
                                for ox in lo..<hi { d[2 * ox] += s[ox] }
                            } else {
                                for ox in lo..<hi { d[ox * sx] += s[ox] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The output columns `lo..<hi` whose input column ox·sx − px + kx lies inside a plane `inputWidth` wide (the
    /// others read padding): shared by im2col and col2im.
    @inline(__always)
    func validOutputColumns(kx: Int, inputWidth w: Int, outWidth wo: Int) -> (Int, Int) {
        let sx = strideX, ix0 = kx - paddingX
        let lo = ix0 >= 0 ? 0 : min(wo, (-ix0 + sx - 1) / sx)
        let hi = (w - 1 - ix0) < 0 ? 0 : min(wo, (w - 1 - ix0) / sx + 1)
        return (lo, hi)
    }
}
