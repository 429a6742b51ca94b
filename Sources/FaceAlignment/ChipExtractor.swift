import ImageInput
import PairNet

/// Aligned face chips as dlib makes them: `get_face_chip_details(shape, 150, 0.25)` followed by
/// `extract_image_chip` with bilinear interpolation, including dlib's `pyramid_down<2>` pre-shrinking
/// for faces much larger than the chip.
public enum ChipExtractor {
    /// The 150×150 chip of the face with these 5 landmarks (image pixels, dlib's order), padding 0.25 of
    /// the face on each side by default. Pixels outside the photo are black.
    /// - Precondition: `landmarks.count == 5`, `padding ≥ 0`.
    public static func chip(from image: RGBImage, landmarks: [Point], padding: Double = 0.25) -> FaceChip {
        faceChip(chipImage(from: image, landmarks: landmarks, size: FaceChip.size, padding: padding))
    }

    /// The `size × size` aligned chip as an image (any size; `chip(from:landmarks:)` is the 150 case).
    /// - Precondition: `landmarks.count == 5`, `size > 0`, `padding ≥ 0`.
    public static func chipImage(from image: RGBImage, landmarks: [Point], size: Int = 150,
                                 padding: Double = 0.25) -> RGBImage {
        extract(from: image, details: .face(landmarks: landmarks.map(\.subpixel), size: size, padding: padding))
    }

    /// A `FaceChip` from a photo that is already an aligned chip (`--aligned`): 150×150 is taken as is,
    /// any other size is resized bilinearly (`RGBImage.resized`, dlib's `resize_image` geometry).
    public static func chip(fromAligned image: RGBImage) -> FaceChip {
        faceChip(image.resized(width: FaceChip.size, height: FaceChip.size))
    }

    /// dlib's `extract_image_chip(image, details, chip, interpolate_bilinear())`.
    ///
    /// Unrotated chips of the rectangle's own size are plain crops (zero outside the image). Otherwise:
    /// 1. depth = how many `pyramid_down<2>` steps beyond the first keep the rectangle's area above
    ///    `rows · cols`; the crop border grows from 2 px to 2·grow + 2 per step;
    /// 2. crop = bounding box of the rotated rectangle grown by that border, clipped to the image, rounded;
    /// 3. levels: `depth` successive `pyramid_down<2>` images of the crop;
    /// 4. level = the last one whose rectangle still has area above `rows · cols` one step further down
    ///    (−1: the crop itself); the rectangle is mapped into that level with `rect_down`;
    /// 5. each chip pixel samples that level bilinearly at the chip-to-rectangle corner map; black outside.
    public static func extract(from image: RGBImage, details: ChipDetails) -> RGBImage {
        let rows = details.rows, cols = details.cols
        precondition(rows > 0 && cols > 0, "ChipExtractor.extract: chip size \(cols)x\(rows)")
        let rect = details.rect
        if details.angle == 0, Double(rows) == rect.height, Double(cols) == rect.width {
            return crop(image, rect.rounded)
        }
        let size = Double(details.pixelCount)

        var depth = 0
        var grow = 2.0
        var down = rect.pyramidDown
        while down.area > size {
            down = down.pyramidDown
            depth += 1
            grow = grow * 2 + 2
        }
        let c = rect.center
        let rotated = ChipRect.empty
            .including(rect.topLeft.rotated(about: c, by: details.angle))
            .including(rect.topRight.rotated(about: c, by: details.angle))
            .including(rect.bottomLeft.rotated(about: c, by: details.angle))
            .including(rect.bottomRight.rotated(about: c, by: details.angle))
        let imageRect = ChipRect(left: 0, top: 0, right: Double(image.width - 1), bottom: Double(image.height - 1))
        let clipped = rotated.grown(by: grow).intersection(imageRect)
        let black = RGBImage(width: cols, height: rows)
        guard !clipped.isEmpty else { return black }
        let box = clipped.rounded
        guard !box.isEmpty else { return black }

        let window = BilinearSampler.Window(origin: box.top * image.width + box.left, rowStride: image.width,
                                            width: box.width, height: box.height)   // the crop, in place
        var levels: [RGBBuffer] = []                 // levels[i]: crop after i + 1 pyramid_down<2> steps
        if depth > 0 {
            levels.append(ImagePyramid.down(image.pixels, window: window))
            for _ in 1..<max(depth, 1) { levels.append(ImagePyramid.down(levels[levels.count - 1])) }
        }

        var level = -1
        var local = rect.translated(dx: -Double(box.left), dy: -Double(box.top))
        while local.pyramidDown.area > size && level + 1 < levels.count {
            level += 1
            local = local.pyramidDown
        }
        let map = ChipDetails.cornerMap(rect: local, angle: details.angle, rows: rows, cols: cols)
        let pixels: [UInt8]   // [rows, cols, 3]
        if level < 0 {
            pixels = BilinearSampler.transform(image.pixels, window: window, width: cols, height: rows, map: map)
        } else {
            pixels = BilinearSampler.transform(levels[level], width: cols, height: rows, map: map)
        }
        return rgbImage(width: cols, height: rows, pixels: pixels)
    }

    /// The `box` part of `image` (inclusive pixels); parts outside the image are black.
    static func crop(_ image: RGBImage, _ box: FaceBox) -> RGBImage {
        let w = box.width, h = box.height
        var out = [UInt8](repeating: 0, count: w * h * 3)   // [h, w, 3]
        let x0 = max(box.left, 0), x1 = min(box.right, image.width - 1)
        let y0 = max(box.top, 0), y1 = min(box.bottom, image.height - 1)
        if x0 <= x1 && y0 <= y1 {
            for y in y0...y1 {
                for x in x0...x1 {
                    let s = (y * image.width + x) * 3, d = ((y - box.top) * w + (x - box.left)) * 3
                    out[d] = image.pixels[s]; out[d + 1] = image.pixels[s + 1]; out[d + 2] = image.pixels[s + 2]
                }
            }
        }
        return rgbImage(width: w, height: h, pixels: out)
    }

    private static func rgbImage(width: Int, height: Int, pixels: [UInt8]) -> RGBImage {
        do { return try RGBImage(width: width, height: height, pixels: pixels) } catch {
            preconditionFailure("ChipExtractor: \(error)")   // sizes are computed above; cannot fail
        }
    }

    private static func faceChip(_ image: RGBImage) -> FaceChip {
        precondition(image.width == FaceChip.size && image.height == FaceChip.size)
        do { return try FaceChip(pixels: image.pixels) } catch {
            preconditionFailure("ChipExtractor: \(error)")   // 150·150·3 bytes by construction
        }
    }
}
