import CPNG

/// PNG → `RGBImage` through libpng's simplified `png_image` API.
///
/// Alpha is dropped (dlib's `load_png` assigns r, g, b and ignores alpha): files with an alpha channel or tRNS
/// are read as RGBA and the A samples discarded, never composited. 16-bit samples are scaled to 8 bits; 16-bit
/// files without gAMA/sRGB are treated as sRGB-encoded (`PNG_IMAGE_FLAG_16BIT_sRGB`) so no gamma curve is applied.
enum PNGDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, file: String, limits: ImageLimits) throws -> RGBImage {
        // IHDR is always the first chunk (bytes 8…32): check its size before libpng allocates anything, so
        // sizes beyond libpng's own 1 000 000-pixel row limit also report `.tooLarge`.
        if bytes.count >= 24, bytes[12] == 0x49, bytes[13] == 0x48, bytes[14] == 0x44, bytes[15] == 0x52 {
            func be32(_ o: Int) -> Int { Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]) }
            let w = be32(16), h = be32(20)
            if w > 0, h > 0 { try limits.check(width: w, height: h, file: file, format: .png) }
        }
        var image = png_image()
        image.version = pm_png_image_version()
        defer { png_image_free(&image) }   // no-op once finish_read has released it
        if png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count) == 0 {
            throw error(&image, file: file)
        }
        let width = Int(image.width), height = Int(image.height)
        try limits.check(width: width, height: height, file: file, format: .png)

        image.flags |= pm_png_image_flag_16bit_srgb()
        let hasAlpha = image.format & pm_png_format_flag_alpha() != 0
        let n = width * height
        if !hasAlpha {
            image.format = pm_png_format_rgb()
            var ok: Int32 = 0
            let rgb = [UInt8](unsafeUninitializedCapacity: n * 3) { out, count in   // [height, width, 3]
                ok = png_image_finish_read(&image, nil, out.baseAddress, 0, nil)
                count = n * 3   // fully written on success; discarded on failure
            }
            if ok == 0 { throw error(&image, file: file) }
            return RGBImage(uncheckedWidth: width, height: height, pixels: rgb)
        }
        image.format = pm_png_format_rgba()
        var rgba = [UInt8](repeating: 0, count: n * 4)   // [height, width, 4]
        let ok = rgba.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
        if ok == 0 { throw error(&image, file: file) }
        let rgb = rgba.withUnsafeBufferPointer { src in
            [UInt8](unsafeUninitializedCapacity: n * 3) { out, count in   // [height, width, 3], alpha dropped
                for i in 0..<n {
                    out[3 * i] = src[4 * i]; out[3 * i + 1] = src[4 * i + 1]; out[3 * i + 2] = src[4 * i + 2]
                }
                count = n * 3
            }
        }
        return RGBImage(uncheckedWidth: width, height: height, pixels: rgb)
    }

    /// The png_image's message as `.truncated` (libpng ran out of data) or `.corrupt`.
    private static func error(_ image: inout png_image, file: String) -> ImageInputError {
        let message = pngMessage(&image)
        let truncation = ["beyond end of data", "Not enough image data", "Read Error", "unexpected end"]
            .contains { message.caseInsensitiveContains($0) }
        return truncation ? .truncated(file: file, format: .png, detail: message)
                          : .corrupt(file: file, format: .png, detail: message)
    }
}

/// The NUL-terminated `message` of a png_image (at most 63 characters).
func pngMessage(_ image: inout png_image) -> String {
    let text = withUnsafeBytes(of: &image.message) { raw -> String in
        let bytes = raw.prefix { $0 != 0 }
        return String(decoding: bytes, as: UTF8.self)
    }
    return text.isEmpty ? "libpng error" : text
}

extension String {
    func caseInsensitiveContains(_ other: String) -> Bool { lowercased().contains(other.lowercased()) }
}
