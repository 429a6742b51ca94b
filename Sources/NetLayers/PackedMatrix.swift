import Dispatch

/// A left-hand matrix A `[M, K]` packed once (e.g. a layer's weights at load) for `multiplyAdd`, the product whose
/// every output element is computed in one fixed order, whatever the width N of the right-hand side.
///
/// Contract of `multiplyAdd`: C[i, j] ← fold over k = 0 ..< K of c ↦ fma(A[i, k], B[k, j], c), starting from
/// C's value (e.g. the bias), in increasing k: one fused multiply-add per term, no reassociation. So an output
/// depends only on its own row of A and column of B: the same column gives the same bits in a product of 1, 7 or
/// 16 images' columns, at any position, in any blocking or thread split. With `accumulate: false` the fold starts
/// from +0 instead and C is only written (bitwise what zeroing C first would give, without the zeroing pass and
/// the loads of C). `multiplyAddNaive` is the scalar statement of the same contract (bitwise equal, tested).
///
/// Layout: `panels [⌈M/6⌉, K, 6]`, the rows of each 6-row panel interleaved per k (rows ≥ M are zero). The
/// micro-kernel holds a 6 × 16 tile of C in twelve AVX2 registers and streams one 6-float column of A and one
/// 16-float row of packed B per k (2 loads, 6 broadcasts, 12 FMAs). B is packed per call into `[⌈N/16⌉, KC, 16]`
/// blocks of `depthBlock` rows (zero columns past N), which stay in L2 while every A panel passes over them.
public struct PackedMatrix: Sendable {
    /// M, rows of A (and of C).
    public let rows: Int
    /// K, columns of A (rows of B).
    public let depth: Int
    /// `[⌈M/6⌉, K, 6]` and 2 zeros of slack.
    let panels: [Float]

    /// Rows per A panel (the micro-tile's height).
    static let panelRows = 6
    /// Columns per B panel (the micro-tile's width: two SIMD8).
    static let panelColumns = 16
    /// KC: rows of B packed at once (B panel 16 KiB, A panel slice 6 KiB: both in L1).
    static let depthBlock = 256
    /// NC: columns of B packed at once (a packed block of ≤ 256 KiB stays in L2).
    static let columnBlock = 256

    /// Packs A with element (i, k) at `a[i·rowStride + k·columnStride]` (row-major: columnStride 1; a transposed
    /// store: rowStride 1, columnStride M).
    public init(_ a: UnsafePointer<Float>, rows m: Int, depth k: Int, rowStride: Int, columnStride: Int = 1) {
        precondition(m >= 1 && k >= 1, "packed matrix: empty \(m) × \(k)")
        rows = m
        depth = k
        let r = Self.panelRows
        let count = (m + r - 1) / r
        panels = [Float](unsafeUninitializedCapacity: count * k * r + 2) { buf, initialised in
            buf[count * k * r] = 0; buf[count * k * r + 1] = 0       // slack: `narrowKernel` reads 8 floats per 6-float step
            for p in 0..<count {
                for kk in 0..<k {
                    for l in 0..<r {
                        let i = p * r + l
                        buf[(p * k + kk) * r + l] = i < m ? a[i * rowStride + kk * columnStride] : 0
                    }
                }
            }
            initialised = count * k * r + 2
        }
    }

    /// Packs a row-major `[M, K]` array.
    public init(_ a: [Float], rows m: Int, depth k: Int) {
        precondition(a.count == m * k, "packed matrix: \(a.count) values for \(m) × \(k)")
        self = a.withUnsafeBufferPointer { PackedMatrix($0.baseAddress!, rows: m, depth: k, rowStride: k) }
    }

    /// 6-row panels of A (the unit a thread split of `multiplyAdd` hands out).
    public var panelCount: Int { (rows + Self.panelRows - 1) / Self.panelRows }

    /// `multiplyAdd` with the rows of C split into `workers.count` contiguous runs of panels, one worker each,
    /// each packing B into its own `scratchCount` floats of `scratch` (`workers.count · scratchCount` in all).
    /// Bitwise the same as one worker: every output is still one fixed fold.
    public func multiplyAdd(_ b: UnsafePointer<Float>, ldb: Int, bTransposed: Bool = false, columns n: Int,
                            into c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = true,
                            scratch: UnsafeMutablePointer<Float>, workers: Workers) {
        let t = min(workers.count, panelCount)
        guard t > 1 else {
            multiplyAdd(b, ldb: ldb, bTransposed: bTransposed, columns: n, into: c, ldc: ldc, accumulate: accumulate,
                        scratch: scratch)
            return
        }
        nonisolated(unsafe) let (bp, cp, sp) = (b, c, scratch)   // workers write disjoint rows of C and scratch
        let count = panelCount, parts = workers.count
        workers.run { w in
            // with fewer panels than workers the last workers get empty ranges
            let range = (count * w / parts)..<(count * (w + 1) / parts)
            guard !range.isEmpty else { return }
            multiplyAdd(bp, ldb: ldb, bTransposed: bTransposed, columns: n, into: cp, ldc: ldc, accumulate: accumulate,
                        scratch: sp + w * Self.scratchCount, panelRange: range)
        }
    }

    /// Floats of scratch `multiplyAdd` needs (one packed B block), whatever N.
    public static var scratchCount: Int { depthBlock * columnBlock }

    /// C `[M, N]` (row stride `ldc`) += A · B in the order of the type's contract. B's element (k, j) is at
    /// `b[k·ldb + j]`, or at `b[j·ldb + k]` when `bTransposed` (B stored as `[N, K]`). `scratch` holds
    /// `scratchCount` floats; C must not overlap B or the scratch. `accumulate: false`: C ← A · B, the fold from +0
    /// (C is not read). `panelRange` restricts the rows of C computed (whole 6-row panels, e.g. one thread's share;
    /// default: all).
    public func multiplyAdd(_ b: UnsafePointer<Float>, ldb: Int, bTransposed: Bool = false, columns n: Int,
                            into c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = true,
                            scratch: UnsafeMutablePointer<Float>, panelRange: Range<Int>? = nil) {
        guard n > 0 else { return }
        let k = depth, r = Self.panelRows, w = Self.panelColumns
        let allPanels = 0..<((rows + r - 1) / r)
        let panelsToDo = panelRange ?? allPanels
        precondition(panelsToDo.lowerBound >= 0 && panelsToDo.upperBound <= allPanels.upperBound, "packed matrix: panels \(panelsToDo)")
        panels.withUnsafeBufferPointer { ab in
            let a = ab.baseAddress!
            var j0 = 0
            while j0 < n {
                let nc = min(Self.columnBlock, n - j0)
                let bPanels = (nc + w - 1) / w
                var p0 = 0
                while p0 < k {
                    let kc = min(Self.depthBlock, k - p0)
                    let load = accumulate || p0 > 0              // the first depth block starts from C or from +0
                    // scratch [bPanels, kc, 16]: B[p0 ..< p0+kc, j0 ..< j0+nc], zero past N
                    Self.packB(b, ldb: ldb, transposed: bTransposed, rows: p0..<(p0 + kc), columns: j0..<(j0 + nc), into: scratch)
                    // B panels of ≤ `narrowColumns` columns: four at a time (`quadKernel`), else a column at a time,
                    // over groups of A panels
                    let wide = nc % w > Self.narrowColumns || nc % w == 0 ? bPanels : bPanels - 1
                    for panel in panelsToDo {
                        let ap = a + (panel * k + p0) * r              // [kc, 6]
                        let i0 = panel * r, mr = min(r, rows - i0)
                        for q in 0..<wide {
                            let bp = UnsafePointer(scratch + q * kc * w)   // [kc, 16]
                            let jj = j0 + q * w, nr = min(w, n - jj)
                            let ct = c + i0 * ldc + jj
                            if mr == r && nr == w {
                                Self.kernel(depth: kc, a: ap, b: bp, c: ct, ldc: ldc, load: load)
                            } else {
                                Self.edgeKernel(depth: kc, a: ap, b: bp, c: ct, ldc: ldc, rows: mr, columns: nr, load: load)
                            }
                        }
                    }
                    if wide < bPanels && nc % w == Self.narrowColumns {
                        // exactly 4 narrow columns (e.g. a 4×4 plane's Winograd tiles of one image): all four per A load
                        let jj = j0 + (bPanels - 1) * w
                        let bp = UnsafePointer(scratch + (bPanels - 1) * kc * w)   // [kc, 16]
                        var g = panelsToDo.lowerBound
                        while g < panelsToDo.upperBound {
                            let group = min(Self.quadGroup, panelsToDo.upperBound - g)
                            Self.quadKernel(depth: kc, a: a + (g * k + p0) * r, panelStride: k * r, panels: group,
                                            b: bp, c: c + g * r * ldc + jj, ldc: ldc, rows: rows - g * r, load: load)
                            g += group
                        }
                    } else if wide < bPanels {
                        let q = bPanels - 1, jj = j0 + q * w
                        let bp = UnsafePointer(scratch + q * kc * w)       // [kc, 16]
                        var g = panelsToDo.lowerBound
                        while g < panelsToDo.upperBound {
                            let group = min(Self.narrowGroup, panelsToDo.upperBound - g)
                            for col in 0..<(j0 + nc - jj) {
                                Self.narrowKernel(depth: kc, a: a + (g * k + p0) * r, panelStride: k * r, panels: group,
                                                  b: bp + col, c: c + g * r * ldc + jj + col, ldc: ldc, rows: rows - g * r,
                                                  load: load)
                            }
                            g += group
                        }
                    }
                    p0 += kc
                }
                j0 += nc
            }
        }
    }

    /// The contract stated directly: C[i, j] = fold k of fma(A[i, k], B[k, j], c), scalar, from the original
    /// unpacked A `a[i·lda + k]` (row-major), from C's value or (`accumulate: false`) from +0. The reference
    /// `multiplyAdd` is tested against, bit for bit.
    public static func multiplyAddNaive(a: UnsafePointer<Float>, lda: Int, rows m: Int, depth k: Int,
                                        _ b: UnsafePointer<Float>, ldb: Int, bTransposed: Bool = false, columns n: Int,
                                        into c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = true) {
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = accumulate ? c[i * ldc + j] : 0
                for kk in 0..<k {
                    let bv = bTransposed ? b[j * ldb + kk] : b[kk * ldb + j]
                    s = s.addingProduct(a[i * lda + kk], bv)
                }
                c[i * ldc + j] = s
            }
        }
    }

    /// Packs B rows `rows`, columns `columns` into `[⌈columns/16⌉, rows.count, 16]`, zero past the last column.
    @inline(__always)
    static func packB(_ b: UnsafePointer<Float>, ldb: Int, transposed: Bool, rows: Range<Int>, columns: Range<Int>,
                      into dst: UnsafeMutablePointer<Float>) {
        let w = panelColumns, kc = rows.count
        var q = 0, j = columns.lowerBound
        while j < columns.upperBound {
            let nr = min(w, columns.upperBound - j)
            let d = dst + q * kc * w
            if !transposed && nr == w {
                for p in 0..<kc {
                    let s = b + (rows.lowerBound + p) * ldb + j
                    UnsafeMutableRawPointer(d + p * w).storeBytes(of: UnsafeRawPointer(s).loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                }
            } else if !transposed {
                for p in 0..<kc {
                    let s = b + (rows.lowerBound + p) * ldb + j
                    for l in 0..<w { d[p * w + l] = l < nr ? s[l] : 0 }
                }
            } else {
                for p in 0..<kc { for l in nr..<w { d[p * w + l] = 0 } }
                for l in 0..<nr {
                    let s = b + (j + l) * ldb + rows.lowerBound
                    for p in 0..<kc { d[p * w + l] = s[p] }
                }
            }
            q += 1
            j += w
        }
    }

    /// C tile `[6, 16]` (row stride ldc) += A panel `[kc, 6]` · B panel `[kc, 16]`, k ascending, one FMA per term;
    /// `load: false`: the fold starts from +0 and C is only written.
    @inline(__always)
    static func kernel(depth kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
                       load fromC: Bool = true) {
        typealias V = SIMD8<Float>
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        @inline(__always) func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }
        let c0 = c, c1 = c + ldc, c2 = c + 2 * ldc, c3 = c + 3 * ldc, c4 = c + 4 * ldc, c5 = c + 5 * ldc
        var x00 = V(), x01 = V(), x10 = V(), x11 = V(), x20 = V(), x21 = V()
        var x30 = V(), x31 = V(), x40 = V(), x41 = V(), x50 = V(), x51 = V()
        if fromC {
            x00 = load(c0); x01 = load(c0 + 8); x10 = load(c1); x11 = load(c1 + 8); x20 = load(c2); x21 = load(c2 + 8)
            x30 = load(c3); x31 = load(c3 + 8); x40 = load(c4); x41 = load(c4 + 8); x50 = load(c5); x51 = load(c5 + 8)
        }
        var ap = a, bp = b
        for _ in 0..<kc {
            let b0 = load(bp), b1 = load(bp + 8)
            var s = V(repeating: ap[0]); x00 = x00.addingProduct(s, b0); x01 = x01.addingProduct(s, b1)
            s = V(repeating: ap[1]); x10 = x10.addingProduct(s, b0); x11 = x11.addingProduct(s, b1)
            s = V(repeating: ap[2]); x20 = x20.addingProduct(s, b0); x21 = x21.addingProduct(s, b1)
            s = V(repeating: ap[3]); x30 = x30.addingProduct(s, b0); x31 = x31.addingProduct(s, b1)
            s = V(repeating: ap[4]); x40 = x40.addingProduct(s, b0); x41 = x41.addingProduct(s, b1)
            s = V(repeating: ap[5]); x50 = x50.addingProduct(s, b0); x51 = x51.addingProduct(s, b1)
            ap += 6
            bp += 16
        }
        store(x00, c0); store(x01, c0 + 8); store(x10, c1); store(x11, c1 + 8); store(x20, c2); store(x21, c2 + 8)
        store(x30, c3); store(x31, c3 + 8); store(x40, c4); store(x41, c4 + 8); store(x50, c5); store(x51, c5 + 8)
    }

    /// Widest last B panel `multiplyAdd` computes a column at a time (`narrowKernel`) instead of as a padded tile.
    static let narrowColumns = 4
    /// A panels `narrowKernel` runs side by side (independent FMA chains to cover the FMA latency).
    static let narrowGroup = 8

    /// One column of C for `panels` (≤ 8) consecutive A panels: C[i, 0] (row stride ldc) = fold over k of
    /// fma(A[i, k], b[k·16], c), rows i < min(rows, 6·panels) — the same fold as `kernel`, vectorised over the 6 rows
    /// of a panel (an 8-float load; lanes 6, 7 belong to the next k and are dropped).
    @inline(__always)
    static func narrowKernel(depth kc: Int, a: UnsafePointer<Float>, panelStride: Int, panels: Int, b: UnsafePointer<Float>,
                             c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, load fromC: Bool = true) {
        typealias V = SIMD8<Float>
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        var acc = (V(), V(), V(), V(), V(), V(), V(), V())
        if fromC { withUnsafeMutableBytes(of: &acc) { raw in
            let x = raw.baseAddress!.assumingMemoryBound(to: Float.self)   // [8 panels, 8 lanes]
            for p in 0..<panels { for l in 0..<min(6, rows - 6 * p) { x[p * 8 + l] = c[(6 * p + l) * ldc] } }
        } }
        var ap = a, bp = b
        if panels == narrowGroup {
            for _ in 0..<kc {
                let s = V(repeating: bp[0])
                acc.0 = acc.0.addingProduct(load(ap), s)
                acc.1 = acc.1.addingProduct(load(ap + panelStride), s)
                acc.2 = acc.2.addingProduct(load(ap + 2 * panelStride), s)
                acc.3 = acc.3.addingProduct(load(ap + 3 * panelStride), s)
                acc.4 = acc.4.addingProduct(load(ap + 4 * panelStride), s)
                acc.5 = acc.5.addingProduct(load(ap + 5 * panelStride), s)
                acc.6 = acc.6.addingProduct(load(ap + 6 * panelStride), s)
                acc.7 = acc.7.addingProduct(load(ap + 7 * panelStride), s)
                ap += 6
                bp += 16
            }
        } else {
            withUnsafeMutableBytes(of: &acc) { raw in
                let x = raw.baseAddress!.assumingMemoryBound(to: V.self)     // [8 panels]
                for _ in 0..<kc {
                    let s = V(repeating: bp[0])
                    for p in 0..<panels { x[p] = x[p].addingProduct(load(ap + p * panelStride), s) }
                    ap += 6
                    bp += 16
                }
            }
        }
        withUnsafeBytes(of: &acc) { raw in
            let x = raw.baseAddress!.assumingMemoryBound(to: Float.self)
            for p in 0..<panels { for l in 0..<min(6, rows - 6 * p) { c[(6 * p + l) * ldc] = x[p * 8 + l] } }
        }
    }

    /// A panels `quadKernel` runs side by side (3 panels × 4 columns = 12 accumulators).
    static let quadGroup = 3

    /// Four columns of C for `panels` (≤ 3) consecutive A panels: C[i, j] (row stride ldc) = fold over k of
    /// fma(A[i, k], b[k·16 + j], c) for j < 4, rows i < min(rows, 6·panels) — `narrowKernel`'s fold, with each A load
    /// serving the four columns (so A is read once, not once per column).
    @inline(__always)
    static func quadKernel(depth kc: Int, a: UnsafePointer<Float>, panelStride: Int, panels: Int, b: UnsafePointer<Float>,
                           c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, load fromC: Bool = true) {
        typealias V = SIMD8<Float>
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        // acc[4·p + j]: panel p's 6 rows (lanes 6, 7 dropped) of column j
        var acc = (V(), V(), V(), V(), V(), V(), V(), V(), V(), V(), V(), V())
        if fromC { withUnsafeMutableBytes(of: &acc) { raw in
            let x = raw.baseAddress!.assumingMemoryBound(to: Float.self)   // [3 panels, 4 columns, 8 lanes]
            for p in 0..<panels { for j in 0..<4 { for l in 0..<min(6, rows - 6 * p) { x[(p * 4 + j) * 8 + l] = c[(6 * p + l) * ldc + j] } } }
        } }
        var ap = a, bp = b
        if panels == quadGroup {
            for _ in 0..<kc {
                let a0 = load(ap), a1 = load(ap + panelStride), a2 = load(ap + 2 * panelStride)
                var s = V(repeating: bp[0])
                acc.0 = acc.0.addingProduct(a0, s); acc.4 = acc.4.addingProduct(a1, s); acc.8 = acc.8.addingProduct(a2, s)
                s = V(repeating: bp[1])
                acc.1 = acc.1.addingProduct(a0, s); acc.5 = acc.5.addingProduct(a1, s); acc.9 = acc.9.addingProduct(a2, s)
                s = V(repeating: bp[2])
                acc.2 = acc.2.addingProduct(a0, s); acc.6 = acc.6.addingProduct(a1, s); acc.10 = acc.10.addingProduct(a2, s)
                s = V(repeating: bp[3])
                acc.3 = acc.3.addingProduct(a0, s); acc.7 = acc.7.addingProduct(a1, s); acc.11 = acc.11.addingProduct(a2, s)
                ap += 6
                bp += 16
            }
        } else {
            withUnsafeMutableBytes(of: &acc) { raw in
                let x = raw.baseAddress!.assumingMemoryBound(to: V.self)     // [3 panels, 4 columns]
                for _ in 0..<kc {
                    for p in 0..<panels {
                        let av = load(ap + p * panelStride)
                        for j in 0..<4 { x[p * 4 + j] = x[p * 4 + j].addingProduct(av, V(repeating: bp[j])) }
                    }
                    ap += 6
                    bp += 16
                }
            }
        }
        withUnsafeBytes(of: &acc) { raw in
            let x = raw.baseAddress!.assumingMemoryBound(to: Float.self)
            for p in 0..<panels { for j in 0..<4 { for l in 0..<min(6, rows - 6 * p) { c[(6 * p + l) * ldc + j] = x[(p * 4 + j) * 8 + l] } } }
        }
    }

    /// `kernel` for a tile of `rows` × `columns` valid elements: C is copied into a full tile, computed, copied back
    /// (the padding lanes compute on zeros and are dropped, so the valid ones see the same operations).
    @inline(__always)
    static func edgeKernel(depth kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                           ldc: Int, rows mr: Int, columns nr: Int, load fromC: Bool = true) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: panelRows * panelColumns) { t in
            let tile = t.baseAddress!                                    // [6, 16]
            tile.update(repeating: 0, count: panelRows * panelColumns)
            if fromC { for i in 0..<mr { (tile + i * panelColumns).update(from: c + i * ldc, count: nr) } }
            kernel(depth: kc, a: a, b: b, c: tile, ldc: panelColumns)
            for i in 0..<mr { (c + i * ldc).update(from: tile + i * panelColumns, count: nr) }
        }
    }
}
