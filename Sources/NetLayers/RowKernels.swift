/// Small row routines shared by the convolution paths here and in FaceDetection: a SIMD copy, the split of a
/// row into its even and odd columns (stride-2 layers), and the interleave of a tile row's m column rows back into a
/// row with the fused epilogue (Winograd output tiles). Rows are short (1…a few hundred floats), so these stay
/// inline instead of calling `memmove` per row.
public enum RowKernels {
    /// dst[i] = src[i] for i < `count`. A `memmove` call per row cost ~5% of the encoder's time.
    @inlinable @inline(__always)
    public static func copy(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            UnsafeMutableRawPointer(dst + i).storeBytes(of: UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self),
                                                        as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { dst[i] = src[i]; i += 1 }
    }

    /// even[x] = row[2x], odd[x] = row[2x + 1] for x < `width`; entries past the row's `count` floats are 0.
    @inlinable @inline(__always)
    public static func splitEvenOdd(_ row: UnsafePointer<Float>, count: Int, even: UnsafeMutablePointer<Float>,
                                    odd: UnsafeMutablePointer<Float>, width: Int) {
        var x = 0
        while 2 * x + 16 <= count && x + 8 <= width {
            let v = UnsafeRawPointer(row + 2 * x).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(even + x).storeBytes(of: v.evenHalf, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(odd + x).storeBytes(of: v.oddHalf, as: SIMD8<Float>.self)
            x += 8
        }
        while x < width {
            even[x] = 2 * x < count ? row[2 * x] : 0
            odd[x] = 2 * x + 1 < count ? row[2 * x + 1] : 0
            x += 1
        }
    }

    /// dst[m·t + d] = f(rows[d·rowStride + t]) for m·t + d < `count` and d < m (the m columns of each output
    /// tile of a row, m = `side`), f = relu?(· + residual). `dst` may not alias `rows` or `residual`. m = 2 and 4
    /// interleave 16 outputs per step with SIMD loads.
    @inlinable @inline(__always)
    public static func interleave(_ rows: UnsafeMutablePointer<Float>, rowStride: Int, side m: Int,
                                  into dst: UnsafeMutablePointer<Float>, residual: UnsafeMutablePointer<Float>?,
                                  relu: Bool, count: Int) {
        var t = 0, x = 0
        if m == 2 {                                            // 8 tiles: two rows of 8 → 16 interleaved
            while x + 16 <= count {
                let a = UnsafeRawPointer(rows + t).loadUnaligned(as: SIMD8<Float>.self)
                let b = UnsafeRawPointer(rows + rowStride + t).loadUnaligned(as: SIMD8<Float>.self)
                let v = SIMD16<Float>(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3],
                                      a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
                UnsafeMutableRawPointer(dst + x).storeBytes(of: v, as: SIMD16<Float>.self)
                t += 8
                x += 16
            }
        } else if m == 4 {                                     // 4 tiles: four rows of 4 → 16 interleaved
            while x + 16 <= count {
                let a = UnsafeRawPointer(rows + t).loadUnaligned(as: SIMD4<Float>.self)
                let b = UnsafeRawPointer(rows + rowStride + t).loadUnaligned(as: SIMD4<Float>.self)
                let c = UnsafeRawPointer(rows + 2 * rowStride + t).loadUnaligned(as: SIMD4<Float>.self)
                let d = UnsafeRawPointer(rows + 3 * rowStride + t).loadUnaligned(as: SIMD4<Float>.self)
                let v = SIMD16<Float>(a[0], b[0], c[0], d[0], a[1], b[1], c[1], d[1],
                                      a[2], b[2], c[2], d[2], a[3], b[3], c[3], d[3])
                UnsafeMutableRawPointer(dst + x).storeBytes(of: v, as: SIMD16<Float>.self)
                t += 4
                x += 16
            }
        }
        while x + m <= count {
            for d in 0..<m { dst[x + d] = rows[d * rowStride + t] }
            t += 1
            x += m
        }
        for d in 0..<(count - x) { dst[x + d] = rows[d * rowStride + t] }
        if let r = residual {
            if relu {
                for i in 0..<count { let a = dst[i] + r[i]; dst[i] = a > 0 ? a : 0 }
            } else {
                for i in 0..<count { dst[i] += r[i] }
            }
        } else if relu {
            for i in 0..<count { let a = dst[i]; dst[i] = a > 0 ? a : 0 }
        }
    }
}
