import Foundation
import LayerGraph

/// One affine warp of an image about its centre ((W − 1)/2, (H − 1)/2), in pixel coordinates with x to the
/// right and y down: output point p shows input point q where `p = centre + shift + A·(q − centre)` and
/// `A = scale · R(rotation) · [[1, tan(shear)], [0, 1]]` (shear first, then rotation, then scale).
///
/// Sampling is bilinear on the four neighbours of q; a neighbour outside the image contributes the fill
/// value, and a point whose every contributing neighbour is outside gets the fill value exactly. With
/// `identity` every output pixel is its input pixel, bit for bit.
public struct AffineWarp: Sendable, Equatable {
    /// Pixels, positive to the right.
    public var shiftX: Float
    /// Pixels, positive downwards.
    public var shiftY: Float
    /// Degrees, positive clockwise as displayed.
    public var rotation: Float
    /// Size factor (> 0), 1 = unchanged.
    public var scale: Float
    /// Degrees of horizontal shear (x moves by tan(shear) · (y − centre y)), in (−90, 90).
    public var shear: Float

    public init(shiftX: Float = 0, shiftY: Float = 0, rotation: Float = 0, scale: Float = 1, shear: Float = 0) {
        precondition(scale > 0, "AffineWarp: scale must be > 0")
        self.shiftX = shiftX
        self.shiftY = shiftY
        self.rotation = rotation
        self.scale = scale
        self.shear = shear
    }

    /// No change.
    public static let identity = AffineWarp()

    /// Warps one `[C, H, W]` image (`input`, `shape.count` floats) into `output` (`[C, H, W]`, not aliasing
    /// `input`). `fill`: `[C]` values for outside the image (see `AffineFill`).
    public func apply(to input: UnsafeBufferPointer<Float>, shape: ImageShape,
                      into output: UnsafeMutableBufferPointer<Float>, fill: [Float]) {
        precondition(input.count == shape.count && output.count == shape.count,
                     "AffineWarp.apply: buffers must hold \(shape.count) floats")
        precondition(fill.count == shape.c, "AffineWarp.apply: fill needs \(shape.c) values")
        let W = shape.w, H = shape.h, plane = W * H
        let cx = Double(W - 1) / 2, cy = Double(H - 1) / 2
        let theta = Double(rotation) * .pi / 180, t = Foundation.tan(Double(shear) * .pi / 180)
        let cs = Foundation.cos(theta), sn = Foundation.sin(theta), s = Double(scale)
        // A = s·[[cos, cos·t − sin], [sin, sin·t + cos]]; det A = s².
        let a = s * cs, b = s * (cs * t - sn), c = s * sn, d = s * (sn * t + cs)
        let det = a * d - b * c
        let ia = d / det, ib = -b / det, ic = -c / det, id = a / det   // A⁻¹
        let tx = Double(shiftX), ty = Double(shiftY)
        for y in 0..<H {
            for x in 0..<W {
                let px = Double(x) - cx - tx, py = Double(y) - cy - ty
                let qx = cx + (ia * px + ib * py), qy = cy + (ic * px + id * py)
                let x0f = qx.rounded(.down), y0f = qy.rounded(.down)
                let fx = Float(qx - x0f), fy = Float(qy - y0f)
                // Far outside: skip the Int conversion of huge values.
                guard x0f > -2, y0f > -2, x0f < Double(W + 1), y0f < Double(H + 1) else {
                    for ch in 0..<shape.c { output[ch * plane + y * W + x] = fill[ch] }
                    continue
                }
                let x0 = Int(x0f), y0 = Int(y0f)
                let w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy
                let in00 = x0 >= 0 && x0 < W && y0 >= 0 && y0 < H
                let in10 = x0 + 1 >= 0 && x0 + 1 < W && y0 >= 0 && y0 < H
                let in01 = x0 >= 0 && x0 < W && y0 + 1 >= 0 && y0 + 1 < H
                let in11 = x0 + 1 >= 0 && x0 + 1 < W && y0 + 1 >= 0 && y0 + 1 < H
                let inside = (in00 && w00 > 0) || (in10 && w10 > 0) || (in01 && w01 > 0) || (in11 && w11 > 0)
                let o = y0 * W + x0
                for ch in 0..<shape.c {
                    let f = fill[ch]
                    guard inside else { output[ch * plane + y * W + x] = f; continue }
                    let src = ch * plane + o
                    // Zero-weight taps are skipped, so an integer point reads exactly one pixel.
                    var sum: Float = 0
                    if w00 > 0 { sum += w00 * (in00 ? input[src] : f) }
                    if w10 > 0 { sum += w10 * (in10 ? input[src + 1] : f) }
                    if w01 > 0 { sum += w01 * (in01 ? input[src + W] : f) }
                    if w11 > 0 { sum += w11 * (in11 ? input[src + W + 1] : f) }
                    output[ch * plane + y * W + x] = sum
                }
            }
        }
    }

    /// `apply(to:shape:into:fill:)` on arrays; returns `[C, H, W]`.
    public func apply(to input: [Float], shape: ImageShape, fill: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: shape.count)   // [C, H, W]
        input.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { apply(to: src, shape: shape, into: $0, fill: fill) }
        }
        return out
    }
}

/// What the area outside a warped image is filled with.
public enum AffineFill: Sendable, Equatable {
    /// `[C]` tensor values (e.g. `spec.value(ofSample: 255)` for a white background).
    case constant([Float])
    /// Per channel, the most common value among the image's border pixels (ties: the smaller value): the
    /// background of a centred drawing (white for Omniglot, whose strokes are black on white).
    case borderMode

    /// The `[C]` fill values for one `[C, H, W]` image.
    public func values(for image: UnsafeBufferPointer<Float>, shape: ImageShape) -> [Float] {
        switch self {
        case .constant(let v):
            precondition(v.count == shape.c, "AffineFill.constant: needs \(shape.c) values, got \(v.count)")
            return v
        case .borderMode: return mostCommonBorderValues(of: image, shape: shape)
        }
    }
}

/// Per channel, the most common value on the border (first and last row and column, each pixel once) of a
/// `[C, H, W]` image; ties go to the smaller value. Returns `[C]`.
public func mostCommonBorderValues(of image: UnsafeBufferPointer<Float>, shape: ImageShape) -> [Float] {
    precondition(image.count == shape.count, "mostCommonBorderValues: image must hold \(shape.count) floats")
    let W = shape.w, H = shape.h
    var border: [Int] = []   // pixel offsets within a plane
    for x in 0..<W { border.append(x); if H > 1 { border.append((H - 1) * W + x) } }
    if H > 2 { for y in 1..<(H - 1) { border.append(y * W); if W > 1 { border.append(y * W + W - 1) } } }
    return (0..<shape.c).map { ch in
        var counts: [Float: Int] = [:]
        for o in border { counts[image[ch * W * H + o], default: 0] += 1 }
        return counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key
    }
}
