/// Winograd F(m×m, r×r) for the stride-1 "same" convolutions, through one block driver: F(2×2, 3×3)
/// (`WinogradF2x3`) and F(4×4, 3×3) (`WinogradF4x3`) for the encoder's 3×3/1 p1 layers, F(2×2, 5×5)
/// (`WinogradF2x5`) for the detector's 5×5/1 p2 layers.
///
/// Each output plane is cut into m×m tiles; with α = m + r − 1 the output tile is
/// Aᵀ [ Σ_i (G g_{o,i} Gᵀ) ⊙ (Bᵀ d_i B) ] A, and the sum over input channels i of the α² element-wise products
/// is α² independent products (one per transform element ξ):
///
///     M[ξ] [O, P] = U[ξ] [O, I] · V[ξ] [I, P]      (P = tiles in the block)
///
/// U = G g Gᵀ is computed and packed per ξ once per layer and tile size, on first use or `prepare(for:)`
/// (`packedWinogradWeights(outputSide:)`); V and M live in the scratch buffer. Blocks are runs of whole tile
/// rows over the flattened (image, tile row) index, as many as `α²·(I + O)·Tw·rows ≤ scratchLimit` allows (at
/// least one), so any plane size and batch works. Every M element is one fixed fold over I
/// (`PackedMatrix.multiplyAdd`), so an image's output does not depend on the blocking, on its batch-mates or on
/// the workers.
///
/// The products write M from +0 (`multiplyAdd(accumulate: false)`), so M is never zeroed or read before it is
/// written.
extension Convolution {
    /// r when the layer's geometry admits Winograd F(2×2, r×r) (3×3/1 p1 or 5×5/1 p2), else nil.
    public var winogradKernel: Int? {
        guard strideY == 1, strideX == 1, kernelHeight == kernelWidth,
              kernelHeight == 3 || kernelHeight == 5,
              paddingY == kernelHeight / 2, paddingX == kernelWidth / 2 else { return nil }
        return kernelHeight
    }

    /// Whether the layer's geometry admits the Winograd path (`winogradKernel != nil`).
    public var isWinogradShape: Bool { winogradKernel != nil }

    /// Whether the dispatch rule picks Winograd F(2×2, r×r) for `input`: the shape admits it, the tiles need
    /// fewer multiply-adds than im2col (α² per tile vs r² per output pixel; e.g. not for 1×1 planes), and one
    /// image has at least `winogradMinimumTiles` tiles. The choice depends on the plane, never on the batch size N,
    /// so an image's output is the same whichever batch it is computed in (the algorithms round differently).
    public func prefersWinograd(for input: Shape4) -> Bool {
        guard let r = winogradKernel else { return false }
        let tiles = ((input.h + 1) / 2) * ((input.w + 1) / 2)
        return (r + 1) * (r + 1) * tiles < r * r * input.h * input.w && tiles >= Self.winogradMinimumTiles
    }

    /// Whether the dispatch rule picks Winograd F(4×4, 3×3) for `input`: a 3×3/1 p1 layer and one image with at
    /// least `winogradF4MinimumTiles` 4×4 tiles (whatever the batch).
    public func prefersWinogradF4(for input: Shape4) -> Bool {
        guard winogradKernel == 3 else { return false }
        return ((input.h + 3) / 4) * ((input.w + 3) / 4) >= Self.winogradF4MinimumTiles
    }

    /// Fewest 2×2 tiles per image for which the dispatch rule picks Winograd F(2×2, r×r): with the transformed
    /// weights packed once and four narrow columns per A load (`PackedMatrix.quadKernel`), the encoder's 4×4
    /// planes gain too (batch 16: 5.5 → 5.0 ms/face on one thread); `bench encoder --layers` measures each layer.
    public static let winogradMinimumTiles = 4

    /// Fewest 4×4 tiles per image for which the dispatch rule picks F(4×4, 3×3) over F(2×2, 3×3): the encoder's
    /// 35×35 planes (81 tiles). On 17×17 (25 tiles) F(2×2) measured as fast at batch 16 and faster at batch 1,
    /// where a face's pass is bound by reading the weights (F(4×4)'s 36 planes are 2.25× F(2×2)'s 16).
    public static let winogradF4MinimumTiles = 36

    /// The output tile sides this layer's Winograd forms can use: [2, 4] for 3×3/1 p1, [2] for 5×5/1 p2, else [].
    public var winogradOutputSides: [Int] {
        switch winogradKernel {
        case 3: [2, 4]
        case 5: [2]
        default: []
        }
    }

    /// Tiles per SIMD vector in the transforms.
    static let winogradLanes = 8

    /// Which tile F(m×m, r×r) is for this layer, m = `outputSide` (switched on at each entry point, so that the
    /// block driver is specialised per tile).
    enum WinogradForm { case f2x3, f4x3, f2x5 }

    /// Precondition: m in `winogradOutputSides`.
    func winogradForm(outputSide m: Int) -> WinogradForm {
        switch (winogradKernel, m) {
        case (3, 2): return .f2x3
        case (3, 4): return .f4x3
        case (5, 2): return .f2x5
        default: preconditionFailure("winograd: no F(\(m)×\(m), \(kernelHeight)×\(kernelWidth)) form for a "
                                     + "\(kernelHeight)×\(kernelWidth)/\(strideY) p\(paddingY) layer")
        }
    }

    /// Tile rows per block and scratch floats of the Winograd F(m×m) path (m = `outputSide`) for `input` under
    /// `scratchLimit`. Precondition: m in `winogradOutputSides`.
    public func winogradPlan(for input: Shape4, scratchLimit: Int = Convolution.defaultScratchLimit, outputSide m: Int = 2)
        -> (tileRowsPerBlock: Int, scratchCount: Int) {
        switch winogradForm(outputSide: m) {
        case .f2x3: winogradPlan(WinogradF2x3.self, for: input, scratchLimit: scratchLimit)
        case .f4x3: winogradPlan(WinogradF4x3.self, for: input, scratchLimit: scratchLimit)
        case .f2x5: winogradPlan(WinogradF2x5.self, for: input, scratchLimit: scratchLimit)
        }
    }

    private func winogradPlan<Tile: WinogradTile>(_ tile: Tile.Type, for input: Shape4, scratchLimit: Int)
        -> (tileRowsPerBlock: Int, scratchCount: Int) {
        let e = Tile.elements, lanes = Self.winogradLanes
        let (th, tw) = Tile.tiles(input)
        let perRow = e * (inputChannels + outputChannels) * tw
        let rows = max(1, min(input.n * th, scratchLimit / max(1, perRow)))
        // V and M, each channel row with overrun room, each ξ-plane too; one work space; the products' packed
        // blocks of V
        let padding = e * (inputChannels + outputChannels + 2) * lanes
        return (rows, rows * perRow + padding + winogradWorkCount(tile, for: input, rowsPerBlock: rows)
                    + PackedMatrix.scratchCount)
    }

    /// Floats of one worker's work space: the input transform's, or the output pass's m² rows `[P + 8]`.
    private func winogradWorkCount<Tile: WinogradTile>(_ tile: Tile.Type, for input: Shape4, rowsPerBlock rows: Int) -> Int {
        let (th, tw) = Tile.tiles(input)
        let m = Tile.outputSide
        return max(Tile.inputWorkCount(tilesHigh: th, tilesWide: tw, rowsPerBlock: rows), m * m * (rows * tw + Self.winogradLanes))
    }

    /// `output = epilogue(conv(input) + bias)` by Winograd F(m×m, r×r), m = `outputSide`. Precondition: m in
    /// `winogradOutputSides`. Same contract as `forward` (shapes, aliasing, scratch growth).
    /// `workers` share each block's input transform and output pass by channel and its α² products by transform
    /// element ξ (bitwise the same result); scratch grows by one work space and one packing space per extra worker.
    public func forwardWinograd(_ input: FeatureMap, into output: FeatureMap, epilogue: ConvEpilogue = .none,
                                scratch: FloatBuffer, scratchLimit: Int = Convolution.defaultScratchLimit, outputSide m: Int = 2,
                                workers: Workers = .one) {
        switch winogradForm(outputSide: m) {
        case .f2x3: forwardWinograd(WinogradF2x3.self, input, into: output, epilogue: epilogue, scratch: scratch,
                                    scratchLimit: scratchLimit, workers: workers)
        case .f4x3: forwardWinograd(WinogradF4x3.self, input, into: output, epilogue: epilogue, scratch: scratch,
                                    scratchLimit: scratchLimit, workers: workers)
        case .f2x5: forwardWinograd(WinogradF2x5.self, input, into: output, epilogue: epilogue, scratch: scratch,
                                    scratchLimit: scratchLimit, workers: workers)
        }
    }

    /// The block driver: per block, the tile's input transform, the α² products, the shared output pass.
    private func forwardWinograd<Tile: WinogradTile>(_ tile: Tile.Type, _ input: FeatureMap, into output: FeatureMap,
                                                     epilogue: ConvEpilogue, scratch: FloatBuffer, scratchLimit: Int,
                                                     workers: Workers) {
        let out = outputShape(for: input.shape)
        precondition(output.shape == out, "convolution: output is \(output.shape), expected \(out)")
        if let r = epilogue.residual { precondition(r.shape == out, "convolution: residual is \(r.shape), expected \(out)") }
        let e = Tile.elements, lanes = Self.winogradLanes
        let (th, tw) = Tile.tiles(input.shape)
        let plan = winogradPlan(tile, for: input.shape, scratchLimit: scratchLimit)
        let workCount = winogradWorkCount(tile, for: input.shape, rowsPerBlock: plan.tileRowsPerBlock)
        let parts = workers.count
        scratch.reserve(plan.scratchCount + (parts - 1) * (PackedMatrix.scratchCount + workCount))
        let ci = inputChannels, co = outputChannels
        let totalRows = input.shape.n * th
        let pMax = plan.tileRowsPerBlock * tw
        // ξ-plane strides (+ overrun room), fixed by the full block
        let vStride = ci * (pMax + lanes) + lanes, mStride = co * (pMax + lanes) + lanes
        let v = scratch.pointer                         // [α², I, P (+8)] (plane stride vStride)
        let m = v + e * vStride                         // [α², O, P (+8)] (plane stride mStride)
        let work = m + e * mStride                      // worker 0's work space [workCount]
        let packScratch = scratch.pointer + plan.scratchCount - PackedMatrix.scratchCount   // [workers, KC·NC]
        let moreWork = packScratch + parts * PackedMatrix.scratchCount                      // [workers − 1, workCount]
        nonisolated(unsafe) let (vp, mp, sp, wp, wq) = (v, m, packScratch, work, moreWork)
        nonisolated(unsafe) let (x, y, ep) = (input, output, epilogue)
        let products = packedWinogradWeights(outputSide: Tile.outputSide)
        let conv = self
        @Sendable func workSpace(_ w: Int) -> UnsafeMutablePointer<Float> { w == 0 ? wp : wq + (w - 1) * workCount }
        var r0 = 0
        while r0 < totalRows {
            let rows = r0..<min(totalRows, r0 + plan.tileRowsPerBlock)
            let p = rows.count * tw, cs = p + lanes      // tiles in the block, channel row stride of V and M
            let vs = vStride, ms = mStride
            // V: worker w transforms input channels ci·w/T ..< ci·(w+1)/T
            workers.run { w in
                Tile.inputTransform(x, channels: (ci * w / parts)..<(ci * (w + 1) / parts), tileRows: rows, tilesHigh: th,
                                    tilesWide: tw, into: vp, planeStride: vs, channelStride: cs, work: workSpace(w))
            }
            // M[ξ] [O, P] = U[ξ] [O, I] · V[ξ] [I, P]; worker w takes ξ in e·w/T ..< e·(w+1)/T with its own packing space
            workers.run { w in
                for xi in (e * w / parts)..<(e * (w + 1) / parts) {
                    products[xi].multiplyAdd(vp + xi * vs, ldb: cs, columns: p, into: mp + xi * ms,
                                             ldc: cs, accumulate: false, scratch: sp + w * PackedMatrix.scratchCount)
                }
            }
            // output: worker w takes output channels co·w/T ..< co·(w+1)/T
            workers.run { w in
                conv.winogradOutput(tile, mp, planeStride: ms, channelStride: cs,
                                    channels: (co * w / parts)..<(co * (w + 1) / parts), tileRows: rows, tilesHigh: th,
                                    tilesWide: tw, output: y, epilogue: ep, work: workSpace(w))
            }
            r0 = rows.upperBound
        }
    }

    /// output = epilogue(Aᵀ M A + bias) for the output channels `channels` and every tile of the block. Per channel,
    /// the tiles are transformed 8 at a time over the whole block (P contiguous; the last chunk may read up to 7
    /// tiles past it, into the channel row's overrun room, whose values are dropped) into m² rows of output values
    /// Y[m·dy + dx] `[P]`; each tile row's m rows per output row are then interleaved into the output with the
    /// epilogue.
    private func winogradOutput<Tile: WinogradTile>(_ tile: Tile.Type, _ m: UnsafeMutablePointer<Float>, planeStride ms: Int,
                                                    channelStride cs: Int, channels: Range<Int>, tileRows: Range<Int>, tilesHigh th: Int, tilesWide tw: Int,
                                                    output: FeatureMap, epilogue: ConvEpilogue,
                                                    work: UnsafeMutablePointer<Float>) {
        typealias V8 = SIMD8<Float>
        let lanes = Self.winogradLanes, side = Tile.outputSide
        let h = output.shape.h, w = output.shape.w
        let p = tileRows.count * tw
        let yStride = p + lanes
        let y = work                                                     // Y [m², P (+8)]
        let relu = epilogue.relu
        for oc in channels {
            let bo = V8(repeating: bias[oc])
            let s = m + oc * cs
            var p0 = 0
            while p0 < p {
                Tile.outputTile({ xi in WinogradIO.load(s + xi * ms + p0) }) { k, value in
                    WinogradIO.store(value + bo, y + k * yStride + p0)
                }
                p0 += lanes
            }
            for r in tileRows {
                let img = r / th, ty = r - img * th
                let pr = (r - tileRows.lowerBound) * tw
                for dy in 0..<min(side, h - side * ty) {
                    let row = side * ty + dy
                    let dst = output.plane(img, oc) + row * w
                    let res = epilogue.residual.map { $0.plane(img, oc) + row * w }
                    RowKernels.interleave(y + side * dy * yStride + pr, rowStride: yStride, side: side, into: dst,
                                          residual: res, relu: relu, count: w)
                }
            }
        }
    }
}
