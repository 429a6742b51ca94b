import FaceAlignment
import Foundation
import ImageInput
import PairNet
import SeededRandom

/// dlib's `jitter_image` for face chips: each copy is the chip re-cropped about a centre moved by up to
/// ±2% of the face, scaled so the face fills 97–99.999% of the crop, rotated by up to ±3°, and mirrored
/// left-right with probability ½. Averaging the embeddings of such copies is dlib's `num_jitters`.
/// Copies are drawn from a generator seeded by the chip's pixels, so the same chip always gives the same
/// copies (dlib's own generator differs, so individual copies differ from dlib's).
public enum ChipJitter {
    public static func copies(of chip: FaceChip, count: Int) -> [FaceChip] {
        let image = try! RGBImage(width: FaceChip.size, height: FaceChip.size, pixels: chip.pixels)
        var rng = SplitMix64(seed: chip.pixels.reduce(UInt64(0xcbf29ce484222325)) { ($0 ^ UInt64($1)) &* 0x100000001b3 })
        return (0..<count).map { _ in jittered(image, &rng) }
    }

    static func jittered(_ image: RGBImage, _ rng: inout SplitMix64) -> FaceChip {
        let n = Double(image.width)
        // shrink_rect(get_rect(img), 3): inclusive [3, n − 4]
        let rect = ChipRect(left: 3, top: 3, right: n - 4, bottom: n - 4)
        let translate = (rng.uniform(-0.02, 0.02) * rect.width, rng.uniform(-0.02, 0.02) * rect.height)
        let scale = rng.uniform(0.97, 0.99999)
        let boxSize = (rect.height / scale).rounded(.towardZero)
        let centre = SubpixelPoint(x: (rect.center.x + translate.0).rounded(), y: (rect.center.y + translate.1).rounded())
        let crop = ChipRect.centered(at: centre, width: boxSize, height: boxSize)
        let angle = rng.uniform(-3, 3) * .pi / 180
        var out = ChipExtractor.extract(from: image, details: ChipDetails(rect: crop, angle: angle, rows: image.height, cols: image.width))
        if rng.uniform(0, 1) > 0.5 { out = out.mirrored() }
        return try! FaceChip(pixels: out.pixels)
    }
}

extension RGBImage {
    /// The image mirrored left-right.
    func mirrored() -> RGBImage {
        var p = [UInt8](repeating: 0, count: pixels.count)
        for y in 0..<height {
            for x in 0..<width {
                let s = (y * width + x) * 3, d = (y * width + (width - 1 - x)) * 3
                p[d] = pixels[s]; p[d + 1] = pixels[s + 1]; p[d + 2] = pixels[s + 2]
            }
        }
        return try! RGBImage(width: width, height: height, pixels: p)
    }
}
