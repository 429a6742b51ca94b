import Foundation
import ImageInput

/// A rectangle with real coordinates (dlib's `drectangle`): left, top, right, bottom in pixels, where an
/// integer box `l…r` covers `r − l + 1` pixels.
public struct RealRect: Sendable, Equatable {
    public var left: Double, top: Double, right: Double, bottom: Double

    public init(left: Double, top: Double, right: Double, bottom: Double) {
        self.left = left; self.top = top; self.right = right; self.bottom = bottom
    }

    /// dlib's `centered_drect(p, w, h)`: the box of `width × height` pixels centred on (`x`, `y`)
    /// (left = x − (w − 1)/2, right = x + (w − 1)/2).
    public init(centerX x: Double, centerY y: Double, width: Double, height: Double) {
        let hw = (width - 1) / 2, hh = (height - 1) / 2
        self.init(left: x - hw, top: y - hh, right: x + hw, bottom: y + hh)
    }

    /// ((left + right)/2, (top + bottom)/2).
    public var center: (x: Double, y: Double) { ((left + right) / 2, (top + bottom) / 2) }

    /// dlib's `drectangle → rectangle` conversion: every side rounded with ⌊v + 0.5⌋.
    public var rounded: FaceBox {
        FaceBox(left: Int((left + 0.5).rounded(.down)), top: Int((top + 0.5).rounded(.down)),
                right: Int((right + 0.5).rounded(.down)), bottom: Int((bottom + 0.5).rounded(.down)))
    }
}

/// dlib's `pyramid_down<N>` point mapping between adjacent levels (level k+1 is (N−1)/N the size of level k):
/// down: p ↦ (p − 0.3)·(N−1)/N, up: p ↦ p·N/(N−1) + 0.3, both per coordinate, in pixels.
public struct PyramidDown: Sendable, Equatable {
    /// N ≥ 2: the ratio is (N − 1)/N (6 → 5/6).
    public let n: Int

    public init(_ n: Int) {
        precondition(n >= 2, "PyramidDown: N must be ≥ 2")
        self.n = n
    }

    /// (N − 1)/N, computed as dlib does in double.
    public var rate: Double { (Double(n) - 1.0) / Double(n) }

    /// dlib's `find_pyramid_down_output_image_size`: ⌊rate·size⌋ per dimension.
    public func downsampledSize(height: Int, width: Int) -> (height: Int, width: Int) {
        (Int((rate * Double(height)).rounded(.down)), Int((rate * Double(width)).rounded(.down)))
    }

    /// One coordinate `levels` levels up (towards the original image).
    public func up(_ v: Double, levels: Int) -> Double {
        let ratio = Double(n) / (Double(n) - 1.0)
        var v = v
        for _ in 0..<max(0, levels) { v = v * ratio + 0.3 }
        return v
    }

    /// One coordinate `levels` levels down (towards the small end).
    public func down(_ v: Double, levels: Int) -> Double {
        var v = v
        for _ in 0..<max(0, levels) { v = (v - 0.3) * rate }
        return v
    }

    /// `rect` (in level `levels` coordinates) mapped to level 0 (dlib's `rect_up(rect, levels)`).
    public func rectUp(_ r: RealRect, levels: Int) -> RealRect {
        RealRect(left: up(r.left, levels: levels), top: up(r.top, levels: levels),
                 right: up(r.right, levels: levels), bottom: up(r.bottom, levels: levels))
    }

    /// `rect` (level 0) mapped to level `levels` (dlib's `rect_down(rect, levels)`).
    public func rectDown(_ r: RealRect, levels: Int) -> RealRect {
        RealRect(left: down(r.left, levels: levels), top: down(r.top, levels: levels),
                 right: down(r.right, levels: levels), bottom: down(r.bottom, levels: levels))
    }
}

/// How dlib's `input_rgb_image_pyramid` lays an image pyramid out as one tiled image
/// (`impl::compute_tiled_image_pyramid_details`), and how positions map back.
public struct TiledPyramidGeometry: Sendable, Equatable {
    /// The per-level ratio (`pyramid_down<N>`).
    public let pyramid: PyramidDown
    /// Pixels between tiles (dlib default 10).
    public let padding: Int
    /// Pixels of zero border around the whole tiled image (dlib default 11).
    public let outerPadding: Int
    /// dlib stops the pyramid when a level would be shorter than this (5 rows).
    public static let minimumLevelHeight = 5

    public init(downN: Int, padding: Int, outerPadding: Int) {
        self.pyramid = PyramidDown(downN)
        self.padding = padding
        self.outerPadding = outerPadding
    }

    /// Lays out the pyramid of a `width × height` image. Level 0 is the image itself; each next level is
    /// ⌊5/6⌋ of the previous one until a level would be empty or shorter than 5 rows. Levels are stacked in a
    /// first column (level 0 at the top-left, after the outer padding), and once the column is tall enough
    /// the remaining levels go up along the right side, bottom-aligned, as long as they do not touch level 0.
    public func layout(width: Int, height: Int) -> TiledPyramidLayout {
        precondition(width > 0 && height > 0, "TiledPyramidGeometry: empty image")
        // Level sizes as (width, height); dlib's rectangle(nc, nr) at the origin.
        var sizes = [(w: width, h: height)]
        var nr = height, nc = width
        while true {
            (nr, nc) = pyramid.downsampledSize(height: nr, width: nc)
            if nr * nc == 0 || nr < Self.minimumLevelHeight { break }
            sizes.append((nc, nr))
        }
        let pad = padding, outer = outerPadding
        var totalHeight = 0
        for s in sizes { totalHeight += s.h + pad }
        totalHeight -= pad * 2
        var height0 = 0, prevWidth = 0
        for s in sizes {
            if s.w <= sizes[0].w - prevWidth - pad && (height0 - sizes[0].h) * 2 >= (totalHeight - sizes[0].h) { break }
            height0 += s.h + pad
            prevWidth = s.w
        }
        height0 -= pad
        let tiledWidth = sizes[0].w

        var rects: [FaceBox] = []
        var y = outer, i = 0
        while y < height0 + outer && i < sizes.count {
            rects.append(FaceBox(x: outer, y: y, width: sizes[i].w, height: sizes[i].h))
            y += sizes[i].h + pad
            i += 1
        }
        y -= pad
        while i < sizes.count {
            // Bottom-right corner at (outer + width − 1, y − 1), growing up and left.
            let r = outer + tiledWidth - 1, b = y - 1
            let rect = FaceBox(left: r - (sizes[i].w - 1), top: b - (sizes[i].h - 1), right: r, bottom: b)
            if !rects[0].intersection(rect).isEmpty { break }
            rects.append(rect)
            y -= sizes[i].h + pad
            i += 1
        }
        return TiledPyramidLayout(pyramid: pyramid, levels: rects,
                                  height: height0 + outer * 2, width: tiledWidth + outer * 2)
    }
}

/// One image's tiled pyramid: where each level sits in the tiled tensor.
public struct TiledPyramidLayout: Sendable, Equatable {
    /// The per-level ratio.
    public let pyramid: PyramidDown
    /// Level k's rectangle in the tiled image (inclusive pixels); level 0 is the original image.
    public let levels: [FaceBox]
    /// The tiled image's size in pixels (rows, columns).
    public let height: Int, width: Int

    public init(pyramid: PyramidDown, levels: [FaceBox], height: Int, width: Int) {
        self.pyramid = pyramid
        self.levels = levels
        self.height = height
        self.width = width
    }

    /// dlib's `nearest_rect`: the first level containing (`x`, `y`), else the level nearest to it (Euclidean
    /// distance to the rectangle; the first one on ties).
    public func nearestLevel(x: Int, y: Int) -> Int {
        var best = 0, bestDistance = Double.infinity
        for (i, r) in levels.enumerated() {
            if x >= r.left && x <= r.right && y >= r.top && y <= r.bottom { return i }
            let nx = min(max(x, r.left), r.right), ny = min(max(y, r.top), r.bottom)
            let d = (Double(nx - x) * Double(nx - x) + Double(ny - y) * Double(ny - y)).squareRoot()
            if d < bestDistance { bestDistance = d; best = i }
        }
        return best
    }

    /// dlib's `tiled_pyramid_to_image`: a rectangle in tiled-tensor pixels mapped to original-image pixels.
    /// The level is the one nearest the rectangle's centre (rounded to a pixel); the rectangle is made relative
    /// to that level's top-left corner and scaled up through the pyramid.
    public func tensorToImage(_ r: RealRect) -> RealRect {
        let c = r.center
        let level = nearestLevel(x: Int((c.x + 0.5).rounded(.down)), y: Int((c.y + 0.5).rounded(.down)))
        let origin = levels[level]
        let local = RealRect(left: r.left - Double(origin.left), top: r.top - Double(origin.top),
                             right: r.right - Double(origin.left), bottom: r.bottom - Double(origin.top))
        return pyramid.rectUp(local, levels: level)
    }

    /// dlib's `image_to_tiled_pyramid`: an original-image rectangle seen at the level that scales it by
    /// `scale` (0 < scale ≤ 1; the level is round(log(scale)/log(rate)), clamped), in tiled-tensor pixels.
    public func imageToTensor(_ r: RealRect, scale: Double) -> RealRect {
        precondition(scale > 0 && scale <= 1, "imageToTensor: scale \(scale) outside (0, 1]")
        var level = Int(log(scale) / log(pyramid.rate) + 0.5)
        level = min(max(level, 0), levels.count - 1)
        let d = pyramid.rectDown(r, levels: level), o = levels[level]
        return RealRect(left: d.left + Double(o.left), top: d.top + Double(o.top),
                        right: d.right + Double(o.left), bottom: d.bottom + Double(o.top))
    }
}
