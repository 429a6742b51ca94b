/// A list of optional strings packed into two float32 tensors, because WeightStore stores only float32
/// tensors and an HDF5 attribute holding a million names would exceed HDF5's 64 KiB compact-attribute limit.
///
/// - `bytes` `[B]`: the UTF-8 bytes of all present strings, concatenated, each byte stored as a float
///   (0…255, exact);
/// - `lengths` `[K]`: the byte length of string i, or −1 for nil. Lengths rather than offsets, because float32 is
///   exact only up to 2^24 and B can exceed it (1M names × 20 bytes); each length is ≤ 2^24 (`GalleryLimits`).
///
/// Cost: 4 bytes of file per text byte. A native uint8 / string-list dataset in WeightStore would remove the ×4.
enum PackedStrings {
    /// Packs `strings` (`[K]`) into `(bytes [B], lengths [K])`.
    static func pack(_ strings: [String?]) -> (bytes: [Float], lengths: [Float]) {
        var lengths = [Float]()
        lengths.reserveCapacity(strings.count)
        var total = 0
        for s in strings { total += s?.utf8.count ?? 0 }
        var bytes = [Float]()
        bytes.reserveCapacity(total)
        for s in strings {
            guard let s else { lengths.append(-1); continue }
            var u = s
            u.withUTF8 { for b in $0 { bytes.append(Float(b)) } }
            lengths.append(Float(u.utf8.count))
        }
        return (bytes, lengths)
    }

    /// Unpacks what `pack` wrote. Returns nil-free `[String?]` entries exactly where `lengths` is ≥ 0.
    /// Throws a `reason` string (the caller wraps it into `GalleryError.corrupt` naming the file) when a length is
    /// not an integer ≥ −1, a byte is not an integer in 0…255, the lengths do not add up to `bytes.count`, or a
    /// string is not valid UTF-8.
    /// With `rejectControlCharacters`, a string holding a control character (U+0000–U+001F, U+007F–U+009F) is
    /// refused too; the test runs over all bytes at once (cheap for a million names).
    static func unpack(bytes: [Float], lengths: [Float], tensor: String,
                       rejectControlCharacters: Bool = false) throws(PackedStringsFailure) -> [String?] {
        var utf8 = [UInt8](repeating: 0, count: bytes.count)   // [B]
        var bad = false
        for i in 0..<bytes.count {
            let v = bytes[i]
            bad = bad || !(v >= 0 && v <= 255 && v == v.rounded())
            utf8[i] = UInt8(truncatingIfNeeded: Int32(v.isFinite ? v : 0))
        }
        if bad, let i = bytes.firstIndex(where: { !($0 >= 0 && $0 <= 255 && $0 == $0.rounded()) }) {
            throw PackedStringsFailure("\(tensor)/bytes[\(i)] = \(bytes[i]) is not a byte")
        }
        if rejectControlCharacters, let i = firstControlCharacter(utf8) {
            throw PackedStringsFailure("\(tensor)/bytes[\(i)] starts a control character")
        }
        var result = [String?]()
        result.reserveCapacity(lengths.count)
        var offset = 0
        for (i, l) in lengths.enumerated() {
            guard l >= -1, l == l.rounded(), l < 16_777_216 else {
                throw PackedStringsFailure("\(tensor)/lengths[\(i)] = \(l) is not a length")
            }
            if l < 0 { result.append(nil); continue }
            let n = Int(l)
            guard offset + n <= utf8.count else {
                throw PackedStringsFailure("\(tensor)/lengths add up to more than the \(utf8.count) bytes stored")
            }
            let s = utf8[offset ..< offset + n].withUnsafeBufferPointer { part -> String? in
                // ASCII (the common case) is valid UTF-8: skip the generic validating initialiser.
                var high: UInt8 = 0
                for b in part { high |= b }
                return high < 0x80 ? String(decoding: part, as: UTF8.self) : String(validating: part, as: UTF8.self)
            }
            guard let s else { throw PackedStringsFailure("\(tensor) entry \(i) is not valid UTF-8") }
            result.append(s)
            offset += n
        }
        guard offset == utf8.count else {
            throw PackedStringsFailure("\(tensor)/lengths add up to \(offset) bytes, \(utf8.count) stored")
        }
        return result
    }
}

/// The offset of the first control character (C0, DEL, or C1 = 0xC2 0x80…0x9F) in UTF-8 `bytes`, or nil.
func firstControlCharacter(_ bytes: [UInt8]) -> Int? {
    var previous: UInt8 = 0
    for (i, b) in bytes.enumerated() {
        if b < 0x20 || b == 0x7F || (previous == 0xC2 && b >= 0x80 && b <= 0x9F) { return b < 0x80 ? i : i - 1 }
        previous = b
    }
    return nil
}

/// Why packed strings could not be unpacked (wrapped into `GalleryError.corrupt`).
struct PackedStringsFailure: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
