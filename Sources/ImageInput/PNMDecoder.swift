/// Netpbm PGM (P2 ASCII, P5 binary) and PPM (P3 ASCII, P6 binary) → `RGBImage`, parsed natively.
///
/// Header: magic, width, height, maxval separated by whitespace and `#` comments (to end of line); binary
/// samples start after exactly one whitespace byte following maxval. maxval 1…65535; 2-byte big-endian samples
/// when maxval > 255. Samples are scaled to 0…255 as `(v·255 + maxval/2) / maxval` when maxval ≠ 255; a
/// sample above maxval is corrupt. Gray → r = g = b. Only the first image of a multi-image file is read.
enum PNMDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, file: String, format: ImageFormat,
                       limits: ImageLimits) throws -> RGBImage {
        let magic = "P" + String(UnicodeScalar(bytes[1]))
        var reader = PNMReader(bytes: bytes, index: 2, file: file, format: format, magic: magic)
        let width = try reader.headerNumber("width")
        let height = try reader.headerNumber("height")
        let maxval = try reader.headerNumber("maxval")
        guard (1...65535).contains(maxval) else {
            throw ImageInputError.corrupt(file: file, format: format, detail: "\(magic) maxval \(maxval) outside 1...65535")
        }
        try limits.check(width: width, height: height, file: file, format: format)

        let channels = format == .ppm ? 3 : 1
        let count = width * height * channels                 // samples in the file
        let scale = scaleTable(maxval: maxval)                // [maxval + 1]
        var samples = [UInt8](repeating: 0, count: count)     // [height, width, channels]
        if bytes[1] == UInt8(ascii: "5") || bytes[1] == UInt8(ascii: "6") {
            try reader.readBinary(into: &samples, maxval: maxval, scale: scale)
        } else {
            try reader.readASCII(into: &samples, maxval: maxval, scale: scale)
        }
        if channels == 3 { return RGBImage(uncheckedWidth: width, height: height, pixels: samples) }
        return try RGBImage(width: width, height: height, gray: samples)
    }

    /// 8-bit value of every sample 0…maxval, rounded: `[maxval + 1]`.
    static func scaleTable(maxval: Int) -> [UInt8] {
        (0...maxval).map { UInt8((($0 * 255) + maxval / 2) / maxval) }
    }
}

/// A cursor over a PNM file with header/ASCII tokenising; errors name the file and magic.
struct PNMReader {
    let bytes: UnsafeRawBufferPointer
    var index: Int
    let file: String
    let format: ImageFormat
    let magic: String

    private func truncated(_ what: String) -> ImageInputError {
        .truncated(file: file, format: format, detail: "\(magic) data ends before \(what)")
    }
    private func corrupt(_ what: String) -> ImageInputError {
        .corrupt(file: file, format: format, detail: "\(magic) \(what)")
    }

    /// Skips whitespace and `#…` comments; returns false at end of data.
    private mutating func skipSpaceAndComments() -> Bool {
        while index < bytes.count {
            let c = bytes[index]
            if isPNMSpace(c) {
                index += 1
            } else if c == UInt8(ascii: "#") {
                while index < bytes.count, bytes[index] != 0x0A, bytes[index] != 0x0D { index += 1 }
            } else {
                return true
            }
        }
        return false
    }

    /// The next decimal number (at most 9 digits), which must end at whitespace, `#` or (ASCII data) end of file.
    private mutating func number(_ what: String, allowEOF: Bool) throws -> Int {
        guard skipSpaceAndComments() else { throw truncated(what) }
        var value = 0, digits = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            value = value * 10 + Int(bytes[index] - 0x30)
            digits += 1
            index += 1
            if digits > 9 { throw corrupt("\(what) has too many digits") }
        }
        guard digits > 0 else { throw corrupt("expected a number for \(what), found byte 0x\(String(bytes[index], radix: 16))") }
        if index == bytes.count {
            if !allowEOF { throw truncated("the end of the header") }
        } else if !isPNMSpace(bytes[index]) && bytes[index] != UInt8(ascii: "#") {
            throw corrupt("unexpected byte 0x\(String(bytes[index], radix: 16)) after \(what)")
        }
        return value
    }

    mutating func headerNumber(_ what: String) throws -> Int { try number(what, allowEOF: false) }

    /// Whitespace-separated decimal samples (`samples.count` of them).
    mutating func readASCII(into samples: inout [UInt8], maxval: Int, scale: [UInt8]) throws {
        for i in 0..<samples.count {
            let v = try number("sample \(i + 1) of \(samples.count)", allowEOF: true)
            guard v <= maxval else { throw corrupt("sample \(i + 1) is \(v) > maxval \(maxval)") }
            samples[i] = scale[v]
        }
    }

    /// Raw samples after the single whitespace byte that ends the header: 1 byte each (maxval < 256) or
    /// 2 bytes big-endian.
    mutating func readBinary(into samples: inout [UInt8], maxval: Int, scale: [UInt8]) throws {
        index += 1   // the one whitespace byte after maxval (checked by `number`)
        let wide = maxval > 255
        let need = samples.count * (wide ? 2 : 1)
        let have = bytes.count - index
        guard have >= need else {
            throw ImageInputError.truncated(file: file, format: format,
                                            detail: "\(magic) expected \(need) bytes of samples, found \(max(have, 0))")
        }
        let start = index
        try samples.withUnsafeMutableBufferPointer { out in
            if wide {
                for i in 0..<out.count {
                    let v = Int(bytes[start + 2 * i]) << 8 | Int(bytes[start + 2 * i + 1])
                    guard v <= maxval else { throw corrupt("sample \(i + 1) is \(v) > maxval \(maxval)") }
                    out[i] = scale[v]
                }
            } else if maxval == 255 {
                _ = out.initialize(from: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + need)]))
            } else {
                for i in 0..<out.count {
                    let v = Int(bytes[start + i])
                    guard v <= maxval else { throw corrupt("sample \(i + 1) is \(v) > maxval \(maxval)") }
                    out[i] = scale[v]
                }
            }
        }
        index += need
    }
}
