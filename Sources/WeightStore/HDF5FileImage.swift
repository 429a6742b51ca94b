/// Fix-up of an HDF5 file image taken with `H5Fget_file_image` from a file still open for writing.
///
/// HDF5 1.10.8 clears the superblock's "file open for write" consistency flags in the copy it returns but leaves
/// the superblock checksum computed over the flags as they were, so the image fails to open ("incorrect
/// metadata checksum"); the same file closed normally differs only in those four bytes. Superblock versions 2
/// and 3 (which our files use: libver ≥ 1.8) end with a Jenkins lookup3 checksum of the preceding bytes;
/// `repairSuperblockChecksum` recomputes it. Versions 0 and 1 have no checksum and are left alone.
enum HDF5FileImage {
    /// Recomputes the superblock checksum of `image` (a whole file, superblock at offset 0) in place.
    /// Returns false when `image` does not start with an HDF5 signature and a version-2/3 superblock.
    @discardableResult
    static func repairSuperblockChecksum(_ image: inout [UInt8]) -> Bool {
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        guard image.count >= 12, Array(image[0..<8]) == signature, image[8] == 2 || image[8] == 3 else { return false }
        // signature 8, version 1, size of offsets 1, size of lengths 1, flags 1, then four addresses.
        let checksumOffset = 12 + 4 * Int(image[9])
        guard image.count >= checksumOffset + 4 else { return false }
        let sum = image.withUnsafeBufferPointer { lookup3(UnsafeBufferPointer(rebasing: $0[0..<checksumOffset])) }
        for i in 0..<4 { image[checksumOffset + i] = UInt8(truncatingIfNeeded: sum >> (8 * UInt32(i))) }
        return true
    }

    /// Bob Jenkins' lookup3 `hashlittle` with initial value 0, byte by byte, as HDF5's `H5_checksum_lookup3`.
    static func lookup3(_ key: UnsafeBufferPointer<UInt8>) -> UInt32 {
        @inline(__always) func rot(_ x: UInt32, _ k: UInt32) -> UInt32 { (x << k) | (x >> (32 - k)) }
        var a = 0xdeadbeef &+ UInt32(truncatingIfNeeded: key.count), b = a, c = a
        var k = key.startIndex, length = key.count
        @inline(__always) func word(_ i: Int) -> UInt32 {
            UInt32(key[i]) | UInt32(key[i + 1]) << 8 | UInt32(key[i + 2]) << 16 | UInt32(key[i + 3]) << 24
        }
        while length > 12 {
            a &+= word(k); b &+= word(k + 4); c &+= word(k + 8)
            a &-= c; a ^= rot(c, 4); c &+= b
            b &-= a; b ^= rot(a, 6); a &+= c
            c &-= b; c ^= rot(b, 8); b &+= a
            a &-= c; a ^= rot(c, 16); c &+= b
            b &-= a; b ^= rot(a, 19); a &+= c
            c &-= b; c ^= rot(b, 4); b &+= a
            length -= 12; k += 12
        }
        if length == 0 { return c }
        // The last 1…12 bytes, added byte-wise (the C version's fall-through switch).
        for i in 0..<length {
            let v = UInt32(key[k + i]) << (8 * UInt32(i % 4))
            switch i / 4 {
            case 0: a &+= v
            case 1: b &+= v
            default: c &+= v
            }
        }
        c ^= b; c &-= rot(b, 14)
        a ^= c; a &-= rot(c, 11)
        b ^= a; b &-= rot(a, 25)
        c ^= b; c &-= rot(b, 16)
        a ^= c; a &-= rot(c, 4)
        b ^= a; b &-= rot(a, 14)
        c ^= b; c &-= rot(b, 24)
        return c
    }
}
