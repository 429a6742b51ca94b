import SeededRandom

extension LoadedImages {
    /// The images at `indices` copied into one contiguous batch: returns `[B, C, H, W]`, B = indices.count,
    /// image b at `b · spec.count`.
    public func gather(_ indices: [Int]) -> [Float] {
        var batch = [Float](repeating: 0, count: indices.count * spec.count)   // [B, C, H, W]
        batch.withUnsafeMutableBufferPointer { gather(indices, into: $0) }
        return batch
    }

    /// `gather(_:)` into `batch` (`[B, C, H, W]`, exactly `indices.count · spec.count` floats).
    public func gather(_ indices: [Int], into batch: UnsafeMutableBufferPointer<Float>) {
        let per = spec.count
        precondition(batch.count == indices.count * per, "gather: batch holds \(batch.count) floats, need \(indices.count * per)")
        images.withUnsafeBufferPointer { src in
            for (b, i) in indices.enumerated() {
                precondition(i >= 0 && i < count, "gather: image index \(i) outside 0..<\(count)")
                (batch.baseAddress! + b * per).update(from: src.baseAddress! + i * per, count: per)
            }
        }
    }

    /// The images at `indices`, each warped by its own draw of `augmentation` (`[B, C, H, W]`).
    ///
    /// Determinism: one number is drawn from `rng` per image, in batch order, and seeds that image's
    /// `SplitMix64`; the image's warp is drawn from it. So a batch depends only on `rng`'s state and the
    /// indices, and `rng` advances by exactly B draws.
    /// - Parameters:
    ///   - fill: the outside value, per image (`.borderMode`: each image's own background) or fixed.
    ///   - augmentation: `RandomAffine.none` copies the images exactly (still advancing `rng` by B).
    public func gather(_ indices: [Int], augmentation: RandomAffine, fill: AffineFill = .borderMode,
                       rng: inout SplitMix64) -> [Float] {
        var batch = [Float](repeating: 0, count: indices.count * spec.count)   // [B, C, H, W]
        batch.withUnsafeMutableBufferPointer {
            gather(indices, into: $0, augmentation: augmentation, fill: fill, rng: &rng)
        }
        return batch
    }

    /// The augmenting `gather` into `batch` (`[B, C, H, W]`, exactly `indices.count · spec.count` floats).
    public func gather(_ indices: [Int], into batch: UnsafeMutableBufferPointer<Float>,
                       augmentation: RandomAffine, fill: AffineFill = .borderMode, rng: inout SplitMix64) {
        let per = spec.count, shape = spec.shape
        precondition(batch.count == indices.count * per, "gather: batch holds \(batch.count) floats, need \(indices.count * per)")
        images.withUnsafeBufferPointer { src in
            for (b, i) in indices.enumerated() {
                precondition(i >= 0 && i < count, "gather: image index \(i) outside 0..<\(count)")
                var imageRNG = SplitMix64(seed: rng.next())
                let input = UnsafeBufferPointer(rebasing: src[(i * per)..<((i + 1) * per)])
                let output = UnsafeMutableBufferPointer(rebasing: batch[(b * per)..<((b + 1) * per)])
                if augmentation.isIdentity {
                    _ = output.update(fromContentsOf: input)
                } else {
                    augmentation.apply(to: input, shape: shape, into: output, fill: fill, rng: &imageRNG)
                }
            }
        }
    }
}
