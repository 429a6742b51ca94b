import ImageInput

extension LandmarkPredictor {
    /// The landmarks of the face in `box`, rounded to integer pixels like dlib's `full_object_detection`
    /// parts (`floor(v + 0.5)`). For dlib's 5-point model the order is: outer and inner corner of the eye
    /// on the image's right, outer and inner corner of the eye on its left, base of the nose.
    /// - Parameters:
    ///   - image: the full photo (not a crop): feature pixels outside it read as 0.
    ///   - box: the face box, inclusive pixels (dlib `rectangle`); may extend beyond the image.
    /// - Returns: `landmarkCount` points in image pixels.
    public func landmarks(in image: RGBImage, box: FaceBox) -> [Point] {
        subpixelLandmarks(in: image, box: box).map(\.rounded)
    }

    /// The landmarks before rounding: the cascade's float32 shape mapped through the box transform in
    /// Double (pixels). `landmarks(in:box:)` rounds these.
    public func subpixelLandmarks(in image: RGBImage, box: FaceBox) -> [SubpixelPoint] {
        let shape = normalizedShape(in: image, box: box)   // [L * 2]
        return (0..<landmarkCount).map {
            box.imagePoint(normalizedX: Double(shape[2 * $0]), normalizedY: Double(shape[2 * $0 + 1]))
        }
    }

    /// Runs the cascade and returns the final shape in box-normalised coordinates, interleaved
    /// (x0, y0, x1, y1, …), float32 as dlib accumulates it.   // [L * 2]
    func normalizedShape(in image: RGBImage, box: FaceBox) -> [Float] {
        var current = initialShape                                        // [L * 2]
        var features = [Float](repeating: 0, count: featurePixelCount)    // [pixels]
        let reference = initialShapePoints
        let T = treesPerLevel
        let nodes = splitsPerTree, leaves = leavesPerTree, stride2L = 2 * landmarkCount
        for level in 0..<levelCount {
            // Similarity from the mean shape to the current one; only its 2×2 part, cast to float32.
            let currentPoints = (0..<landmarkCount).map {
                SubpixelPoint(x: Double(current[2 * $0]), y: Double(current[2 * $0 + 1]))
            }
            let tform = AffineTransform2D.similarity(from: reference, to: currentPoints)
            let m = (Float(tform.m00), Float(tform.m01), Float(tform.m10), Float(tform.m11))
            readFeaturePixels(image: image, box: box, level: level, shape: current, m: m, into: &features)

            // Every tree of the level adds its leaf (float32, in tree order).
            splits.withUnsafeBufferPointer { sp in
                leafValues.withUnsafeBufferPointer { lv in
                    features.withUnsafeBufferPointer { f in
                        current.withUnsafeMutableBufferPointer { cur in
                            let treeBase = level * T
                            for t in 0..<T {
                                let s = sp.baseAddress! + (treeBase + t) * nodes
                                var i = 0
                                while i < nodes {
                                    let node = s[i]
                                    i = f[Int(node.a)] - f[Int(node.b)] > node.threshold ? 2 * i + 1 : 2 * i + 2
                                }
                                let leaf = lv.baseAddress! + ((treeBase + t) * leaves + (i - nodes)) * stride2L
                                for k in 0..<stride2L { cur[k] += leaf[k] }
                            }
                        }
                    }
                }
            }
        }
        return current
    }

    /// Fills `features` (`[pixels]`) with the level's feature pixel intensities: for pixel j,
    /// q = M·delta_j + current[anchor_j] (float32), mapped through the box transform (Double), rounded
    /// with floor(v + 0.5); the value is (R+G+B)/3 (integer division) or 0 outside the image.
    /// `m` is the row-major 2×2 (m00, m01, m10, m11).
    func readFeaturePixels(image: RGBImage, box: FaceBox, level: Int, shape current: [Float],
                           m: (Float, Float, Float, Float), into features: inout [Float]) {
        let P = featurePixelCount
        let W = image.width, H = image.height
        let sx = Double(box.right - box.left), ox = Double(box.left)
        let sy = Double(box.bottom - box.top), oy = Double(box.top)
        image.pixels.withUnsafeBufferPointer { px in
            anchors.withUnsafeBufferPointer { an in
                deltas.withUnsafeBufferPointer { de in
                    current.withUnsafeBufferPointer { cur in
                        features.withUnsafeMutableBufferPointer { f in
                            for j in 0..<P {
                                let dx = de[2 * (level * P + j)], dy = de[2 * (level * P + j) + 1]
                                let a = Int(an[level * P + j])
                                let qx: Float = (m.0 * dx + m.1 * dy) + cur[2 * a]
                                let qy: Float = (m.2 * dx + m.3 * dy) + cur[2 * a + 1]
                                let x = Int((sx * Double(qx) + ox + 0.5).rounded(.down))
                                let y = Int((sy * Double(qy) + oy + 0.5).rounded(.down))
                                if x >= 0 && x < W && y >= 0 && y < H {
                                    let o = (y * W + x) * 3
                                    f[j] = Float((Int(px[o]) + Int(px[o + 1]) + Int(px[o + 2])) / 3)
                                } else {
                                    f[j] = 0
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
