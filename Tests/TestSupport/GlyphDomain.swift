import Foundation
import ImageInput
import SeededRandom

/// A tiny synthetic image domain for training tests: each class is a random glyph of a few strokes, each image
/// of a class a distorted drawing of it (every stroke end moved by up to `jitter` pixels, the whole glyph shifted
/// by up to 2 pixels), black on white, written as 8-bit PNGs into `root/classNNN/imgNN.png`.
public enum GlyphDomain {
    /// Writes `classes` × `images` PNGs of `size`×`size` pixels; returns the class folder names.
    @discardableResult
    public static func write(to root: URL, classes: Int, images: Int, size: Int = 24, strokes: Int = 3,
                             jitter: Double = 1.2, seed: UInt64 = 1) throws -> [String] {
        var g = SplitMix64(seed: seed)
        var names: [String] = []
        for c in 0..<classes {
            let name = String(format: "class%03d", c)
            names.append(name)
            let dir = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let margin = Double(size) * 0.2
            let glyph = (0..<strokes).map { _ in
                (g.uniform(margin, Double(size) - margin), g.uniform(margin, Double(size) - margin),
                 g.uniform(margin, Double(size) - margin), g.uniform(margin, Double(size) - margin))
            }
            for i in 0..<images {
                var pixels = [UInt8](repeating: 255, count: size * size * 3)
                let sx = g.uniform(-2, 2), sy = g.uniform(-2, 2)
                for (x0, y0, x1, y1) in glyph {
                    let a = (x0 + sx + g.uniform(-jitter, jitter), y0 + sy + g.uniform(-jitter, jitter))
                    let b = (x1 + sx + g.uniform(-jitter, jitter), y1 + sy + g.uniform(-jitter, jitter))
                    let steps = Int(max(abs(b.0 - a.0), abs(b.1 - a.1)) * 3) + 1
                    for s in 0...steps {
                        let t = Double(s) / Double(steps)
                        let px = a.0 + (b.0 - a.0) * t, py = a.1 + (b.1 - a.1) * t
                        for yy in Int(py - 1)...Int(py + 1) {
                            for xx in Int(px - 1)...Int(px + 1) where yy >= 0 && yy < size && xx >= 0 && xx < size {
                                if (Double(xx) - px) * (Double(xx) - px) + (Double(yy) - py) * (Double(yy) - py) <= 0.8 {
                                    for ch in 0..<3 { pixels[(yy * size + xx) * 3 + ch] = 0 }
                                }
                            }
                        }
                    }
                }
                try RGBImage(width: size, height: size, pixels: pixels).write(png: dir.appendingPathComponent(String(format: "img%02d.png", i)))
            }
        }
        return names
    }
}
