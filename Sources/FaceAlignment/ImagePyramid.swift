import ImageInput

/// An 8-bit interleaved RGB buffer that, unlike `RGBImage`, may be empty (dlib's pyramid returns an empty
/// image for inputs of 8 pixels or fewer on a side). `pixels` is `[height, width, 3]`.
struct RGBBuffer: Sendable, Equatable {
    var width: Int
    var height: Int
    var pixels: [UInt8]   // [height, width, 3]

    static let empty = RGBBuffer(width: 0, height: 0, pixels: [])

    /// The `box` part of `image` (inclusive pixels, already inside the image), copied.
    init(cropping image: RGBImage, to box: FaceBox) {
        precondition(box.left >= 0 && box.top >= 0 && box.right < image.width && box.bottom < image.height,
                     "RGBBuffer: crop \(box) outside \(image.width)x\(image.height)")
        let w = box.width, h = box.height
        var out = [UInt8](repeating: 0, count: w * h * 3)   // [h, w, 3]
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for r in 0..<h {
                    let s = ((box.top + r) * image.width + box.left) * 3
                    for i in 0..<(w * 3) { dst[r * w * 3 + i] = src[s + i] }
                }
            }
        }
        self.init(width: w, height: h, pixels: out)
    }

    init(width: Int, height: Int, pixels: [UInt8]) {
        assert(pixels.count == width * height * 3)
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    init(_ image: RGBImage) { self.init(width: image.width, height: image.height, pixels: image.pixels) }
}

/// dlib's `pyramid_down<2>` for RGB images: a separable 5-tap [1 4 6 4 1] Gaussian (÷256 overall,
/// integer truncation per channel) with every other row and column dropped.
enum ImagePyramid {
    /// A point's position one level down: p/2 − (1.25, 0.75) (pixels of the smaller image).
    static func pointDown(_ p: SubpixelPoint) -> SubpixelPoint {
        SubpixelPoint(x: p.x / 2.0 - 1.25, y: p.y / 2.0 - 0.75)
    }

    /// The next level of `image`: `(height − 3)/2` rows by `(width − 3)/2` columns (integer division);
    /// output pixel (c, r) is the filter centred on input column 2c + 2 and row 2r + 2.
    /// Empty when either side of the input is 8 pixels or fewer.
    static func down(_ image: RGBBuffer) -> RGBBuffer {
        down(image.pixels, window: BilinearSampler.Window(origin: 0, rowStride: image.width,
                                                          width: image.width, height: image.height))
    }

    /// `down` of a window of `pixels` (a `sub_image`, not copied).
    static func down(_ pixels: [UInt8], window: BilinearSampler.Window) -> RGBBuffer {
        let W = window.width, H = window.height
        guard W > 8, H > 8 else { return .empty }
        let tw = (W - 3) / 2           // columns after the row filter
        let oh = (H - 3) / 2           // output rows
        // Row filter on every input row: sums up to 16·255, as dlib's uint16 accumulators.
        var temp = [UInt16](repeating: 0, count: H * tw * 3)   // [H, tw, 3]
        pixels.withUnsafeBufferPointer { src in
            temp.withUnsafeMutableBufferPointer { t in
                for r in 0..<H {
                    let row = (window.origin + r * window.rowStride) * 3
                    for c in 0..<tw {
                        let o = row + 2 * c * 3
                        for ch in 0..<3 {
                            let p1 = UInt16(src[o + ch]), p2 = UInt16(src[o + 3 + ch]), p3 = UInt16(src[o + 6 + ch])
                            let p4 = UInt16(src[o + 9 + ch]), p5 = UInt16(src[o + 12 + ch])
                            t[(r * tw + c) * 3 + ch] = p1 + 4 * p2 + 6 * p3 + 4 * p4 + p5
                        }
                    }
                }
            }
        }
        // Column filter on rows 2, 4, …, < H − 2: sums up to 256·255 (fits 32 bits; dlib's fit 16), ÷ 256.
        var out = [UInt8](repeating: 0, count: oh * tw * 3)   // [oh, tw, 3]
        temp.withUnsafeBufferPointer { t in
            out.withUnsafeMutableBufferPointer { dst in
                var dr = 0
                var r = 2
                while r < H - 2 {
                    for i in 0..<(tw * 3) {
                        let s = UInt32(t[(r - 2) * tw * 3 + i]) + 4 * UInt32(t[(r - 1) * tw * 3 + i])
                            + 6 * UInt32(t[r * tw * 3 + i]) + 4 * UInt32(t[(r + 1) * tw * 3 + i])
                            + UInt32(t[(r + 2) * tw * 3 + i])
                        dst[dr * tw * 3 + i] = UInt8(s / 256)
                    }
                    dr += 1
                    r += 2
                }
            }
        }
        return RGBBuffer(width: tw, height: oh, pixels: out)
    }
}
