/// The image formats `ImageDecoder` reads, detected from the leading bytes ("magic"), never the extension.
public enum ImageFormat: String, Sendable, Equatable, CaseIterable {
    case jpeg = "JPEG"
    case png = "PNG"
    /// Netpbm gray map, ASCII (P2) or binary (P5).
    case pgm = "PGM"
    /// Netpbm pixel map, ASCII (P3) or binary (P6).
    case ppm = "PPM"
}

/// The outcome of sniffing the leading bytes of a file.
enum SniffedFormat: Equatable {
    case supported(ImageFormat)
    /// Recognised but not decoded; the associated text names it for the error message.
    case unsupported(String)
    case unknown
}

extension ImageFormat {
    /// Classifies `bytes` by signature: JPEG `FF D8 FF`, PNG `89 'PNG' 0D 0A 1A 0A`, Netpbm `P2/P3/P5/P6`;
    /// GIF, BMP, TIFF, WebP, HEIF/AVIF, PBM (P1/P4), PAM (P7) and JPEG 2000 are recognised as unsupported.
    static func sniff(_ bytes: UnsafeRawBufferPointer) -> SniffedFormat {
        func has(_ sig: [UInt8], at offset: Int = 0) -> Bool {
            guard bytes.count >= offset + sig.count else { return false }
            for (i, b) in sig.enumerated() where bytes[offset + i] != b { return false }
            return true
        }
        if has([0xFF, 0xD8, 0xFF]) { return .supported(.jpeg) }
        if has([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .supported(.png) }
        if bytes.count >= 3, bytes[0] == UInt8(ascii: "P"), isPNMSpace(bytes[2]) {
            switch bytes[1] {
            case UInt8(ascii: "2"), UInt8(ascii: "5"): return .supported(.pgm)
            case UInt8(ascii: "3"), UInt8(ascii: "6"): return .supported(.ppm)
            case UInt8(ascii: "1"): return .unsupported("1-bit PBM (P1)")
            case UInt8(ascii: "4"): return .unsupported("1-bit PBM (P4)")
            case UInt8(ascii: "7"): return .unsupported("PAM (P7)")
            default: break
            }
        }
        if has(Array("GIF87a".utf8)) || has(Array("GIF89a".utf8)) { return .unsupported("GIF") }
        if has(Array("BM".utf8)), bytes.count >= 14 { return .unsupported("BMP") }
        if has([0x49, 0x49, 0x2A, 0x00]) || has([0x4D, 0x4D, 0x00, 0x2A]) { return .unsupported("TIFF") }
        if has(Array("RIFF".utf8)), has(Array("WEBP".utf8), at: 8) { return .unsupported("WebP") }
        if has(Array("ftyp".utf8), at: 4), bytes.count >= 12 {
            let brand = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[8..<12]), as: UTF8.self)
            if brand.hasPrefix("avi") { return .unsupported("AVIF") }
            if brand.hasPrefix("hei") || brand.hasPrefix("mif") || brand.hasPrefix("hev") { return .unsupported("HEIF") }
        }
        if has([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) || has([0xFF, 0x4F, 0xFF, 0x51]) {
            return .unsupported("JPEG 2000")
        }
        return .unknown
    }
}

/// Netpbm whitespace: space, TAB, LF, VT, FF, CR.
@inline(__always)
func isPNMSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) }
