/// One RGB pixel: 8-bit red, green, blue samples (sRGB as decoded, no gamma handling).
public struct RGBPixel: Sendable, Equatable, Hashable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(r: UInt8, g: UInt8, b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// Gray intensity by dlib's rule for `rgb_pixel` → `unsigned char`: `(r + g + b) / 3`, integer division.
    @inlinable
    public var gray: UInt8 { UInt8((Int(r) + Int(g) + Int(b)) / 3) }
}

/// An 8-bit RGB image in memory.
///
/// `pixels` is interleaved RGB, row-major, shape `[height, width, 3]`: the sample of channel `c`
/// (0 = red, 1 = green, 2 = blue) at column `x`, row `y` is `pixels[(y * width + x) * 3 + c]`.
/// The origin is the top-left pixel as displayed (EXIF orientation already applied by the decoder).
public struct RGBImage: Sendable, Equatable {
    /// Width in pixels (> 0).
    public let width: Int
    /// Height in pixels (> 0).
    public let height: Int
    /// Interleaved samples, `[height, width, 3]`, exactly `width * height * 3` bytes.
    public private(set) var pixels: [UInt8]

    /// Wraps `pixels` (`[height, width, 3]`).
    /// - Throws: `ImageInputError.invalidShape` unless width, height > 0 and `pixels.count == width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard width > 0, height > 0,
              case let (n, overflow) = width.multipliedReportingOverflow(by: height), !overflow,
              n <= Int.max / 3, pixels.count == n * 3
        else {
            throw ImageInputError.invalidShape(width: width, height: height, count: pixels.count)
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Unchecked: the caller guarantees `pixels.count == width * height * 3` and positive sizes.
    @usableFromInline
    init(uncheckedWidth width: Int, height: Int, pixels: [UInt8]) {
        assert(width > 0 && height > 0 && pixels.count == width * height * 3)
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A `width × height` image filled with one colour (black by default).
    /// - Precondition: width, height > 0.
    public init(width: Int, height: Int, fill: RGBPixel = RGBPixel(r: 0, g: 0, b: 0)) {
        precondition(width > 0 && height > 0, "RGBImage: size \(width)x\(height) must be positive")
        var p = [UInt8](repeating: 0, count: width * height * 3)   // [height, width, 3]
        if fill != RGBPixel(r: 0, g: 0, b: 0) {
            for i in stride(from: 0, to: p.count, by: 3) {
                p[i] = fill.r; p[i + 1] = fill.g; p[i + 2] = fill.b
            }
        }
        self.init(uncheckedWidth: width, height: height, pixels: p)
    }

    /// An RGB image from 8-bit gray samples `gray` (`[height, width]`), each copied to r, g and b.
    /// - Throws: `ImageInputError.invalidShape` unless `gray.count == width * height` and sizes are positive.
    public init(width: Int, height: Int, gray: [UInt8]) throws {
        guard width > 0, height > 0, gray.count == width * height else {
            throw ImageInputError.invalidShape(width: width, height: height, count: gray.count * 3)
        }
        let p = [UInt8](unsafeUninitializedCapacity: gray.count * 3) { out, n in
            for i in 0..<gray.count {
                out[3 * i] = gray[i]; out[3 * i + 1] = gray[i]; out[3 * i + 2] = gray[i]
            }
            n = gray.count * 3
        }
        self.init(uncheckedWidth: width, height: height, pixels: p)
    }

    /// The pixel at column `x`, row `y` (0-based, top-left origin).
    /// - Precondition: `0 ≤ x < width`, `0 ≤ y < height`.
    public subscript(x: Int, y: Int) -> RGBPixel {
        get {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "RGBImage: (\(x), \(y)) outside \(width)x\(height)")
            let i = (y * width + x) * 3
            return RGBPixel(r: pixels[i], g: pixels[i + 1], b: pixels[i + 2])
        }
        set {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "RGBImage: (\(x), \(y)) outside \(width)x\(height)")
            let i = (y * width + x) * 3
            pixels[i] = newValue.r; pixels[i + 1] = newValue.g; pixels[i + 2] = newValue.b
        }
    }

    /// Gray intensity at (`x`, `y`) by dlib's rule `(r + g + b) / 3` (integer division).
    public func gray(x: Int, y: Int) -> UInt8 { self[x, y].gray }

    /// The whole image as gray intensities `(r + g + b) / 3`, shape `[height, width]`.
    public func grayPixels() -> [UInt8] {
        let n = width * height
        return pixels.withUnsafeBufferPointer { src in
            [UInt8](unsafeUninitializedCapacity: n) { out, count in
                for i in 0..<n {
                    out[i] = UInt8((UInt16(src[3 * i]) + UInt16(src[3 * i + 1]) + UInt16(src[3 * i + 2])) / 3)
                }
                count = n
            }
        }
    }
}
