import Foundation

/// Where a chip comes from, like dlib's `chip_details`: the chip is the rectangle `rect` (image pixels,
/// inclusive `drectangle`) rotated by `angle` radians about its centre, resampled to `rows × cols` pixels.
public struct ChipDetails: Sendable, Equatable {
    /// The unrotated source rectangle (image pixels).
    public var rect: ChipRect
    /// Rotation of the source rectangle about its centre, radians (image axes: x right, y down).
    public var angle: Double
    /// Chip height in pixels.
    public var rows: Int
    /// Chip width in pixels.
    public var cols: Int

    public init(rect: ChipRect, angle: Double, rows: Int, cols: Int) {
        self.rect = rect; self.angle = angle; self.rows = rows; self.cols = cols
    }

    /// dlib's mean face for 5-point models, in units of the unpadded chip (0…1): outer and inner corner of
    /// the eye on the image's right, outer and inner corner of the eye on its left, base of the nose
    /// (the landmark order of `shape_predictor_5_face_landmarks`).
    public static let fivePointTemplate: [SubpixelPoint] = [
        SubpixelPoint(x: 0.8595674595992, y: 0.2134981538014),
        SubpixelPoint(x: 0.6460604764104, y: 0.2289674387677),
        SubpixelPoint(x: 0.1205750620789, y: 0.2137274526848),
        SubpixelPoint(x: 0.3340850613712, y: 0.2290642403242),
        SubpixelPoint(x: 0.4901123135679, y: 0.6277975316475),
    ]

    /// dlib's `get_face_chip_details(det, size, padding)` for a 5-point shape: the least-squares similarity
    /// transform from the padded template (`(padding + t) / (2·padding + 1) · size`, chip pixels) to the
    /// landmarks (image pixels) gives the angle (of the image of (1, 0)), the scale, and the rectangle
    /// `size·scale` wide centred on the image of the chip centre (size/2, size/2).
    /// - Parameters:
    ///   - landmarks: 5 points in image pixels (dlib uses the rounded integer landmarks).
    ///   - size: chip side in pixels (> 0).
    ///   - padding: extra margin as a fraction of the unpadded face (≥ 0), 0.25 for dlib's encoder.
    /// - Precondition: `landmarks.count == 5`, `size > 0`, `padding ≥ 0`.
    public static func face(landmarks: [SubpixelPoint], size: Int = 150, padding: Double = 0.25) -> ChipDetails {
        precondition(landmarks.count == 5, "ChipDetails.face: needs 5 landmarks, got \(landmarks.count)")
        precondition(size > 0 && padding >= 0, "ChipDetails.face: size \(size), padding \(padding)")
        let s = Double(size)
        let from = fivePointTemplate.map {
            SubpixelPoint(x: (padding + $0.x) / (2 * padding + 1) * s, y: (padding + $0.y) / (2 * padding + 1) * s)
        }
        return ChipDetails(chipPoints: from, imagePoints: landmarks, rows: size, cols: size)
    }

    /// dlib's `chip_details(chip_points, img_points, dims)`: a similarity fit from chip to image points.
    /// - Precondition: at least 2 point pairs, `rows, cols > 0`.
    public init(chipPoints: [SubpixelPoint], imagePoints: [SubpixelPoint], rows: Int, cols: Int) {
        precondition(chipPoints.count == imagePoints.count && chipPoints.count >= 2 && rows > 0 && cols > 0,
                     "ChipDetails: \(chipPoints.count) chip vs \(imagePoints.count) image points, \(cols)x\(rows)")
        let tform = AffineTransform2D.similarity(from: chipPoints, to: imagePoints)
        let px = tform.m00, py = tform.m10                    // M·(1, 0)
        let scale = (px * px + py * py).squareRoot()
        let centre = tform.apply(SubpixelPoint(x: Double(cols) / 2.0, y: Double(rows) / 2.0))
        self.init(rect: .centered(at: centre, width: Double(cols) * scale, height: Double(rows) * scale),
                  angle: atan2(py, px), rows: rows, cols: cols)
    }

    /// Chip pixel count `rows · cols`.
    public var pixelCount: Int { rows * cols }

    /// The map from chip pixels to image pixels: chip (0, 0), (cols−1, 0), (0, rows−1) go to the rotated
    /// corners top-left, top-right, bottom-left of `rect` (dlib's choice of corners in `extract_image_chips`).
    public var chipToImage: AffineTransform2D { Self.cornerMap(rect: rect, angle: angle, rows: rows, cols: cols) }

    /// The affine map sending chip corners to the corners of `rect` rotated by `angle` about its centre.
    static func cornerMap(rect: ChipRect, angle: Double, rows: Int, cols: Int) -> AffineTransform2D {
        let c = rect.center
        let tl = rect.topLeft.rotated(about: c, by: angle)
        let tr = rect.topRight.rotated(about: c, by: angle)
        let bl = rect.bottomLeft.rotated(about: c, by: angle)
        let sx = Double(max(cols - 1, 1)), sy = Double(max(rows - 1, 1))
        return AffineTransform2D(m00: (tr.x - tl.x) / sx, m01: (bl.x - tl.x) / sy,
                                 m10: (tr.y - tl.y) / sx, m11: (bl.y - tl.y) / sy,
                                 tx: tl.x, ty: tl.y)
    }
}
