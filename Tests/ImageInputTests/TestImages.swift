import CPNG
import CTurboJPEG
import Foundation
@testable import ImageInput
import TestSupport

/// Builders of small encoded images for the decoder tests (JPEG via TurboJPEG, PNG by hand with stored
/// deflate blocks so every bit depth / colour type / chunk can be produced, PNM as text or bytes).
enum TestImages {
    // MARK: Pixels

    /// A `width × height` RGB gradient, `[height, width, 3]`.
    static func gradient(width: Int, height: Int) -> [UInt8] {
        var p = [UInt8]()
        p.reserveCapacity(width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                p.append(UInt8(x * 255 / max(width - 1, 1)))
                p.append(UInt8(y * 255 / max(height - 1, 1)))
                p.append(UInt8((x + y) * 127 / max(width + height - 2, 1)))
            }
        }
        return p
    }

    /// A `width × height` image (`[height, width, 3]`) whose top-left, top-right, bottom-left and bottom-right
    /// quarters are the flat colours `colors[0...3]` (for orientation tests).
    static func quadrants(width: Int, height: Int, colors: [RGBPixel]) -> [UInt8] {
        var p = [UInt8]()   // [height, width, 3]
        for y in 0..<height {
            for x in 0..<width {
                let c = colors[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)]
                p += [c.r, c.g, c.b]
            }
        }
        return p
    }

    // MARK: JPEG

    /// Encodes `pixels` (`[height, width, channels]` in `pixelFormat`) with TurboJPEG's tjCompress2.
    static func jpeg(width: Int, height: Int, pixels: [UInt8], pixelFormat: Int32 = pm_tjpf_rgb(),
                     subsampling: Int32 = pm_tjsamp_420(), quality: Int32 = 90) -> [UInt8] {
        let handle = tjInitCompress()!
        defer { tjDestroy(handle) }
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let rc = pixels.withUnsafeBufferPointer {
            tjCompress2(handle, $0.baseAddress, Int32(width), 0, Int32(height), pixelFormat, &out, &size,
                        subsampling, quality, 0)
        }
        precondition(rc == 0, String(cString: tjGetErrorStr2(handle)))
        defer { tjFree(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(size)))
    }

    /// An APP1 Exif segment (marker included) holding IFD0 with one Orientation entry.
    static func exifSegment(orientation: UInt16, littleEndian: Bool) -> [UInt8] {
        func u16(_ v: UInt16) -> [UInt8] { littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
        func u32(_ v: UInt32) -> [UInt8] { littleEndian ? u16(UInt16(v & 0xFFFF)) + u16(UInt16(v >> 16)) : u16(UInt16(v >> 16)) + u16(UInt16(v & 0xFFFF)) }
        var tiff: [UInt8] = littleEndian ? [0x49, 0x49] : [0x4D, 0x4D]
        tiff += u16(42) + u32(8)                      // header, IFD0 at offset 8
        tiff += u16(2)                                // 2 entries
        tiff += u16(0x010F) + u16(2) + u32(4) + Array("ab\0\0".utf8)   // Make (ASCII, inline) before Orientation
        tiff += u16(0x0112) + u16(3) + u32(1) + u16(orientation) + u16(0)
        tiff += u32(0)                                // no next IFD
        let payload = Array("Exif\0\0".utf8) + tiff
        let length = payload.count + 2
        return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    /// `jpeg` with `segment` inserted after SOI and the JFIF APP0 (if present).
    static func inserting(_ segment: [UInt8], into jpeg: [UInt8]) -> [UInt8] {
        var at = 2
        if jpeg[2] == 0xFF, jpeg[3] == 0xE0 { at = 4 + (Int(jpeg[4]) << 8 | Int(jpeg[5])) }
        return Array(jpeg[..<at]) + segment + Array(jpeg[at...])
    }

    /// `jpeg` with the frame header's (SOF0/1/2) height and width replaced.
    static func patchingSOF(_ jpeg: [UInt8], width: Int, height: Int) -> [UInt8] {
        var j = jpeg
        var i = 2
        while i + 9 < j.count {
            let marker = j[i + 1]
            let length = Int(j[i + 2]) << 8 | Int(j[i + 3])
            if marker == 0xC0 || marker == 0xC1 || marker == 0xC2 {
                j[i + 5] = UInt8(height >> 8); j[i + 6] = UInt8(height & 0xFF)
                j[i + 7] = UInt8(width >> 8); j[i + 8] = UInt8(width & 0xFF)
                return j
            }
            i += 2 + length
        }
        fatalError("no SOF marker")
    }

    // MARK: PNG (hand-built)

    /// A PNG file: IHDR(width, height, bitDepth, colorType), optional gAMA, PLTE, tRNS, then `rows` (each the
    /// raw packed scanline without the filter byte) in one zlib stream of stored blocks, IEND.
    static func png(width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, rows: [[UInt8]],
                    palette: [UInt8]? = nil, trns: [UInt8]? = nil, gamma: UInt32? = nil) -> [UInt8] {
        var ihdr = PNGBytes.be32(UInt32(width)) + PNGBytes.be32(UInt32(height))
        ihdr += [bitDepth, colorType, 0, 0, 0]
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        file += PNGBytes.chunk("IHDR", ihdr)
        if let g = gamma { file += PNGBytes.chunk("gAMA", PNGBytes.be32(g)) }
        if let p = palette { file += PNGBytes.chunk("PLTE", p) }
        if let t = trns { file += PNGBytes.chunk("tRNS", t) }
        var raw = [UInt8]()
        for r in rows { raw.append(0); raw += r }   // filter type 0 (None)
        file += PNGBytes.chunk("IDAT", PNGBytes.zlibStored(raw))
        file += PNGBytes.chunk("IEND", [])
        return file
    }


    /// The offset of the first chunk of `type` in a PNG file (at its length field).
    static func chunkOffset(_ png: [UInt8], _ type: String) -> Int? {
        var i = 8
        while i + 8 <= png.count {
            let length = Int(png[i]) << 24 | Int(png[i + 1]) << 16 | Int(png[i + 2]) << 8 | Int(png[i + 3])
            if String(decoding: png[(i + 4)..<(i + 8)], as: UTF8.self) == type { return i }
            i += 12 + length
        }
        return nil
    }

    // MARK: Files

    /// Writes `bytes` to `dir/name` and returns its URL.
    static func write(_ bytes: [UInt8], _ name: String, in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// Decodes `bytes` in memory, named `name` for errors.
    static func decode(_ bytes: [UInt8], name: String = "test", limits: ImageLimits = .default,
                       applyOrientation: Bool = true) throws -> RGBImage {
        try ImageDecoder.decode(data: Data(bytes), name: name, limits: limits, applyOrientation: applyOrientation)
    }

    /// Largest absolute sample difference between two equal-sized buffers.
    static func maxDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
        precondition(a.count == b.count)
        return zip(a, b).map { abs(Int($0) - Int($1)) }.max() ?? 0
    }
}
