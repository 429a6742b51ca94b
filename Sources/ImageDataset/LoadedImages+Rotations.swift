import LayerGraph

extension LoadedImages {
    /// `--rotations-as-classes`: every class's images rotated by 90°, 180° and 270° become three new classes
    /// (the common Omniglot augmentation: a rotated character is treated as a different character).
    ///
    /// Result: 4·classCount classes. Classes 0..<C are the originals (same names, same images, same order),
    /// then C..<2C the 90° copies named `"x@90"`, then `"x@180"`, then `"x@270"`; class `k·C + c` is class c
    /// rotated by k·90°. Images follow the same order. Rotations are clockwise as displayed (x right, y down)
    /// and exact (a permutation of pixels, no resampling). Apply after splitting classes, so no rotated copy of
    /// a validation class reaches training.
    /// - Throws: `.rotationsNeedSquareInput` unless `spec.width == spec.height`.
    public func rotatingClasses() throws(DatasetError) -> LoadedImages {
        guard spec.width == spec.height else {
            throw .rotationsNeedSquareInput(width: spec.width, height: spec.height)
        }
        let n = count, per = spec.count, C = classCount
        var out = [Float](repeating: 0, count: 4 * n * per)   // [4N, C, H, W]
        out.withUnsafeMutableBufferPointer { dst in
            images.withUnsafeBufferPointer { src in
                for k in 0..<4 {
                    for i in 0..<n {
                        rotate(src.baseAddress! + i * per, into: dst.baseAddress! + (k * n + i) * per,
                               quarterTurns: k, shape: spec.shape)
                    }
                }
            }
        }
        let suffixes = ["", "@90", "@180", "@270"]
        var names: [String] = [], labels: [Int] = [], sources: [String] = []
        for k in 0..<4 {
            names += classNames.map { $0 + suffixes[k] }
            labels += self.labels.map { k * C + $0 }
            sources += self.sources.map { $0 + suffixes[k] }
        }
        return LoadedImages(spec: spec, classNames: names, images: out, labels: labels, sources: sources)
    }
}

/// Rotates one `[C, S, S]` image by `quarterTurns`·90° clockwise (as displayed) into `out` (`[C, S, S]`).
/// 90°: out[y][x] = in[S−1−x][y]; 180°: in[S−1−y][S−1−x]; 270°: in[x][S−1−y].
func rotate(_ input: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, quarterTurns: Int, shape: ImageShape) {
    precondition(shape.h == shape.w, "rotate: image must be square, got \(shape)")
    let s = shape.w, plane = s * s
    for c in 0..<shape.c {
        let src = input + c * plane, dst = out + c * plane
        for y in 0..<s {
            for x in 0..<s {
                let v: Float
                switch quarterTurns & 3 {
                case 0: v = src[y * s + x]
                case 1: v = src[(s - 1 - x) * s + y]
                case 2: v = src[(s - 1 - y) * s + (s - 1 - x)]
                default: v = src[x * s + (s - 1 - y)]
                }
                dst[y * s + x] = v
            }
        }
    }
}
