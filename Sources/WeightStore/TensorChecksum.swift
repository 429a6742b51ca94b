/// The per-tensor checksum of a weight file: XXH64 (seed 0) of the tensor's float32 values as little-endian bytes
/// (`4 · count` bytes, row-major), written as 16 lowercase hex digits in the tensor's attribute `xxh64`.
///
/// One pass over the values also finds the first non-finite value (NaN or ±∞), so verifying and refusing
/// non-finite weights cost one read of the buffer. XXH64 detects accidental damage (flipped bytes, zeroed
/// blocks); it is not a defence against a deliberate forgery.
public enum TensorChecksum {
    /// The root attribute naming the algorithm, and its value in files written with checksums.
    public static let rootAttribute = "checksums"
    public static let algorithm = "xxh64"
    /// The tensor attribute holding the digest.
    public static let tensorAttribute = "xxh64"

    /// The digest of `values` (`[count]` float32) and the index of its first non-finite value, if any.
    public static func digest(_ values: UnsafeBufferPointer<Float>) -> (xxh64: UInt64, firstNonFinite: Int?) {
        let raw = UnsafeRawBufferPointer(values)
        let (hash, suspect) = xxh64(raw)
        guard suspect else { return (hash, nil) }
        return (hash, values.firstIndex { !$0.isFinite })
    }

    /// `digest(_:)` of an array.
    public static func digest(_ values: [Float]) -> (xxh64: UInt64, firstNonFinite: Int?) {
        values.withUnsafeBufferPointer { digest($0) }
    }

    /// 16 lowercase hex digits.
    public static func hex(_ value: UInt64) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let p5: UInt64 = 0x27D4_EB2F_1656_67C5
    /// The exponent bits of two packed float32s; a float is non-finite exactly when all its exponent bits are set.
    private static let exponents: UInt64 = 0x7F80_0000_7F80_0000

    @inline(__always) private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
    @inline(__always) private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* p2, 31) &* p1
    }
    @inline(__always) private static func merge(_ acc: UInt64, _ v: UInt64) -> UInt64 {
        (acc ^ round(0, v)) &* p1 &+ p4
    }
    /// Nonzero when either float32 of `w` has all exponent bits set (the "has a zero 32-bit lane" test applied
    /// to the complemented exponent bits; false positives only occur with a true hit, and hits are re-checked).
    @inline(__always) private static func nonFiniteFlag(_ w: UInt64) -> UInt64 {
        let t = ~w & exponents
        return (t &- 0x0000_0001_0000_0001) & ~t & 0x8000_0000_8000_0000
    }

    /// XXH64 with seed 0 of `bytes`, and whether some aligned 8-byte word may hold a non-finite float32.
    static func xxh64(_ bytes: UnsafeRawBufferPointer) -> (UInt64, Bool) {
        let n = bytes.count
        var i = 0
        var flag: UInt64 = 0
        var h: UInt64
        if n >= 32 {
            var v1 = p1 &+ p2, v2 = p2, v3: UInt64 = 0, v4 = 0 &- p1
            while i + 32 <= n {
                let a = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let b = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
                let c = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self))
                let d = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self))
                v1 = round(v1, a); v2 = round(v2, b); v3 = round(v3, c); v4 = round(v4, d)
                flag |= nonFiniteFlag(a) | nonFiniteFlag(b) | nonFiniteFlag(c) | nonFiniteFlag(d)
                i += 32
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = merge(h, v1); h = merge(h, v2); h = merge(h, v3); h = merge(h, v4)
        } else {
            h = p5
        }
        h = h &+ UInt64(n)
        while i + 8 <= n {
            let k = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            flag |= nonFiniteFlag(k)
            h = rotl(h ^ round(0, k), 27) &* p1 &+ p4
            i += 8
        }
        if i + 4 <= n {
            let k = UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self)))
            flag |= nonFiniteFlag(k)   // the zero upper lane never flags
            h = rotl(h ^ (k &* p1), 23) &* p2 &+ p3
            i += 4
        }
        while i < n {
            h = rotl(h ^ (UInt64(bytes[i]) &* p5), 11) &* p1
            i += 1
        }
        h ^= h >> 33; h = h &* p2
        h ^= h >> 29; h = h &* p3
        h ^= h >> 32
        return (h, flag != 0)
    }
}
