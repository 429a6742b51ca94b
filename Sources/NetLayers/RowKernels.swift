/// Small row routines shared by the convolution paths here and in FaceDetection: a SIMD copy, the split of a
/// row into its even and odd columns (stride-2 layers), and the interleave of two column halves back into a
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

    /// dst[2t] = f(even[t]), dst[2t + 1] = f(odd[t]) for 2t, 2t + 1 < `count`, f = relu?(· + residual).
    @inlinable @inline(__always)
    public static func interleave(_ even: UnsafeMutablePointer<Float>, _ odd: UnsafeMutablePointer<Float>,
                                  into dst: UnsafeMutablePointer<Float>, residual: UnsafeMutablePointer<Float>?,
                                  relu: Bool, count: Int) {
        let pairs = count / 2
        if let r = residual {
            if relu {
                for t in 0..<pairs {
                    let a = even[t] + r[2 * t], b = odd[t] + r[2 * t + 1]
                    dst[2 * t] = a > 0 ? a : 0; dst[2 * t + 1] = b > 0 ? b : 0
                }
                if count & 1 == 1 { let a = even[pairs] + r[count - 1]; dst[count - 1] = a > 0 ? a : 0 }
            } else {
                for t in 0..<pairs { dst[2 * t] = even[t] + r[2 * t]; dst[2 * t + 1] = odd[t] + r[2 * t + 1] }
                if count & 1 == 1 { dst[count - 1] = even[pairs] + r[count - 1] }
            }
        } else if relu {
            for t in 0..<pairs {
                let a = even[t], b = odd[t]
                dst[2 * t] = a > 0 ? a : 0; dst[2 * t + 1] = b > 0 ? b : 0
            }
            if count & 1 == 1 { let a = even[pairs]; dst[count - 1] = a > 0 ? a : 0 }
        } else {
            for t in 0..<pairs { dst[2 * t] = even[t]; dst[2 * t + 1] = odd[t] }
            if count & 1 == 1 { dst[count - 1] = even[pairs] }
        }
    }
}
