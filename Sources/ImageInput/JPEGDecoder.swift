import CTurboJPEG

/// JPEG → `RGBImage` through TurboJPEG, with libjpeg's default decoding (ISLOW IDCT, fancy upsampling) so the
/// samples equal what dlib's libjpeg-based `load_jpeg` produces.
enum JPEGDecoder {
    /// Decodes `bytes` (a whole JPEG file). Warnings (truncation, corrupt entropy data) are errors.
    static func decode(_ bytes: UnsafeRawBufferPointer, file: String, limits: ImageLimits,
                       applyOrientation: Bool) throws -> RGBImage {
        guard let handle = tjInitDecompress() else {
            throw ImageInputError.corrupt(file: file, format: .jpeg, detail: "cannot initialise TurboJPEG")
        }
        defer { tjDestroy(handle) }
        let src = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let size = UInt(bytes.count)

        var w: Int32 = 0, h: Int32 = 0, subsamp: Int32 = 0, colorspace: Int32 = 0
        if tjDecompressHeader3(handle, src, size, &w, &h, &subsamp, &colorspace) != 0 {
            throw error(handle, bytes, file: file, inHeader: true)
        }
        // tjDecompressHeader3 can succeed on a tables-only or garbage stream with a zero size.
        guard w > 0, h > 0 else {
            if endsBeforeScan(bytes) {
                throw ImageInputError.truncated(file: file, format: .jpeg, detail: "data ends inside the header")
            }
            throw ImageInputError.corrupt(file: file, format: .jpeg, detail: "no image size in header (\(w)x\(h))")
        }
        let width = Int(w), height = Int(h)
        try limits.check(width: width, height: height, file: file, format: .jpeg)

        let flags = pm_tjflag_accuratedct() | pm_tjflag_stoponwarning()
        let n = width * height
        var image: RGBImage
        if colorspace == pm_tjcs_cmyk() || colorspace == pm_tjcs_ycck() {
            // libjpeg cannot convert CMYK to RGB: decode CMYK, then convert (Adobe inverted CMYK, as TurboJPEG writes).
            var cmyk = [UInt8](repeating: 0, count: n * 4)   // [height, width, 4]
            let rc = cmyk.withUnsafeMutableBufferPointer {
                tjDecompress2(handle, src, size, $0.baseAddress, w, 0, h, pm_tjpf_cmyk(), flags)
            }
            if rc != 0 { throw error(handle, bytes, file: file, inHeader: false) }
            let rgb = [UInt8](unsafeUninitializedCapacity: n * 3) { out, count in   // [height, width, 3]
                for i in 0..<n {
                    let k = UInt32(cmyk[4 * i + 3])
                    out[3 * i] = UInt8((UInt32(cmyk[4 * i]) * k + 127) / 255)
                    out[3 * i + 1] = UInt8((UInt32(cmyk[4 * i + 1]) * k + 127) / 255)
                    out[3 * i + 2] = UInt8((UInt32(cmyk[4 * i + 2]) * k + 127) / 255)
                }
                count = n * 3
            }
            image = RGBImage(uncheckedWidth: width, height: height, pixels: rgb)
        } else {
            // Gray and YCbCr/RGB: TurboJPEG converts to RGB itself, straight into the result buffer.
            var rc: Int32 = 0
            let rgb = [UInt8](unsafeUninitializedCapacity: n * 3) { out, count in   // [height, width, 3]
                rc = tjDecompress2(handle, src, size, out.baseAddress, w, 0, h, pm_tjpf_rgb(), flags)
                count = n * 3   // fully written on success; discarded on failure
            }
            if rc != 0 { throw error(handle, bytes, file: file, inHeader: false) }
            image = RGBImage(uncheckedWidth: width, height: height, pixels: rgb)
        }
        if applyOrientation {
            let orientation = EXIFOrientation.read(fromJPEG: bytes)
            if orientation != .up { image = image.applying(orientation) }
        }
        return image
    }

    /// Maps TurboJPEG's last error to `.truncated` (premature end of data) or `.corrupt` (anything else),
    /// carrying libjpeg's message.
    private static func error(_ handle: tjhandle, _ bytes: UnsafeRawBufferPointer, file: String,
                              inHeader: Bool) -> ImageInputError {
        var message = String(cString: tjGetErrorStr2(handle))
        if message.hasPrefix("tjDecompress2(): ") { message.removeFirst("tjDecompress2(): ".count) }
        if message.hasPrefix("tjDecompressHeader3(): ") { message.removeFirst("tjDecompressHeader3(): ".count) }
        let truncation = message.contains("Premature end")
            || message.contains("premature end")
            || (inHeader && endsBeforeScan(bytes))
        if truncation { return .truncated(file: file, format: .jpeg, detail: message) }
        let kind = tjGetErrorCode(handle) == pm_tjerr_warning() ? "warning: " : ""
        return .corrupt(file: file, format: .jpeg, detail: kind + message)
    }

    /// True when the marker segments from SOI run off the end of the data before a SOS (start of scan) or EOI
    /// marker: the file was cut inside its header. False for a well-framed header or non-marker garbage.
    static func endsBeforeScan(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = bytes.count
        var i = 2
        while true {
            guard i + 2 <= n else { return true }
            guard bytes[i] == 0xFF else { return false }
            let marker = bytes[i + 1]
            if marker == 0xFF { i += 1; continue }
            if marker == 0xDA || marker == 0xD9 { return false }
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue }
            guard marker >= 0xC0 else { return false }   // reserved marker code: corrupt, not cut short
            guard i + 4 <= n else { return true }
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            guard length >= 2 else { return false }
            i += 2 + length
        }
    }
}
