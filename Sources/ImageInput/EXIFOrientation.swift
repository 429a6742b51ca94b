/// The EXIF orientation (TIFF tag 0x0112): how the stored pixels must be transformed for display.
/// Raw values 1…8; names describe the transform applied by `RGBImage.applying(_:)`.
public enum EXIFOrientation: Int, Sendable, CaseIterable {
    /// 1: stored as displayed.
    case up = 1
    /// 2: mirror left ↔ right.
    case upMirrored = 2
    /// 3: rotate 180°.
    case down = 3
    /// 4: mirror top ↔ bottom.
    case downMirrored = 4
    /// 5: transpose (mirror across the main diagonal); width and height swap.
    case leftMirrored = 5
    /// 6: rotate 90° clockwise; width and height swap.
    case right = 6
    /// 7: transverse (mirror across the anti-diagonal); width and height swap.
    case rightMirrored = 7
    /// 8: rotate 90° counter-clockwise; width and height swap.
    case left = 8

    /// Whether the transform swaps width and height (5–8).
    public var swapsDimensions: Bool { rawValue >= 5 }

    /// The orientation stored in a JPEG's APP1 "Exif" segment (IFD0 tag 0x0112, SHORT), or `.up` when there is
    /// none or it is malformed/out of range. Scans markers from SOI up to SOS; every read is bounds-checked.
    public static func read(fromJPEG bytes: UnsafeRawBufferPointer) -> EXIFOrientation {
        let n = bytes.count
        guard n >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return .up }
        var i = 2
        while i + 4 <= n {
            guard bytes[i] == 0xFF else { return .up }
            let marker = bytes[i + 1]
            if marker == 0xFF { i += 1; continue }                      // fill byte
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue }
            if marker == 0xDA || marker == 0xD9 { return .up }          // entropy data / end: no Exif before it
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])    // includes the 2 length bytes
            guard length >= 2, i + 2 + length <= n else { return .up }
            let segment = UnsafeRawBufferPointer(rebasing: bytes[(i + 4)..<(i + 2 + length)])
            if marker == 0xE1, let o = fromExifSegment(segment) { return o }
            i += 2 + length
        }
        return .up
    }

    /// Parses an APP1 payload: "Exif\0\0", TIFF header (II/MM, 42, IFD0 offset), IFD0 entries.
    static func fromExifSegment(_ seg: UnsafeRawBufferPointer) -> EXIFOrientation? {
        let exif: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]   // "Exif\0\0"
        guard seg.count >= 6 + 8, (0..<6).allSatisfy({ seg[$0] == exif[$0] }) else { return nil }
        let tiff = UnsafeRawBufferPointer(rebasing: seg[6...])
        let little: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ o: Int) -> Int? {
            guard o >= 0, o + 2 <= tiff.count else { return nil }
            return little ? Int(tiff[o]) | Int(tiff[o + 1]) << 8 : Int(tiff[o]) << 8 | Int(tiff[o + 1])
        }
        func u32(_ o: Int) -> Int? {
            guard let a = u16(o), let b = u16(o + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return nil }
        for e in 0..<count {
            let entry = ifd + 2 + 12 * e
            guard let tag = u16(entry), let type = u16(entry + 2) else { return nil }
            if tag == 0x0112 {
                guard type == 3, let value = u16(entry + 8) else { return nil }   // SHORT, value inline
                return EXIFOrientation(rawValue: value)
            }
        }
        return nil
    }
}
