import ImageInput
import LayerGraph

/// The one conversion from a decoded image to an encoder's input tensor: training (`LoadedImages`) and
/// inference (embedding a whole image) both call this, so they cannot drift apart.
///
/// Steps, in this order:
/// 1. Channels: `spec.channels == 3` takes r, g, b; `== 1` takes dlib's gray `(r + g + b) / 3` (integer
///    division on the 8-bit samples).
/// 2. Size: resampled to `spec.width × spec.height`, each axis on its own, in float (no rounding to 8 bits):
///    an axis that shrinks is area-averaged (every output pixel is the mean of the input area it covers,
///    fractional pixels weighted by their overlap, so a 1-pixel stroke in 105 px survives at 28 px as a
///    grey line rather than vanishing between samples); an axis that grows or stays is bilinear on pixel
///    centres (output x samples input (x + 0.5)·in/out − 0.5, clamped to the edge). An axis of equal size
///    is copied exactly. The whole image is used: no crop, no aspect-ratio preservation.
/// 3. Values: `(sample / 255 − spec.mean[c]) / spec.std[c]`.
///
/// - Returns: `[C, H, W]` = `spec.shape`, `spec.count` floats.
public func tensor(from image: RGBImage, spec: InputSpec) -> [Float] {
    var out = [Float](repeating: 0, count: spec.count)   // [C, H, W]
    out.withUnsafeMutableBufferPointer { convert(image, spec: spec, into: $0) }
    return out
}

/// `tensor(from:spec:)` written into `out` (`[C, H, W]`, `spec.count` floats).
func convert(_ image: RGBImage, spec: InputSpec, into out: UnsafeMutableBufferPointer<Float>) {
    precondition(out.count == spec.count, "convert: output holds \(out.count) floats, spec needs \(spec.count)")
    let W = image.width, H = image.height, w = spec.width, h = spec.height, C = spec.channels
    let xTaps = ResampleTaps(from: W, to: w), yTaps = ResampleTaps(from: H, to: h)
    var plane = [Float](repeating: 0, count: H * W)   // [H, W] one channel's 8-bit samples as floats
    var rows = [Float](repeating: 0, count: H * w)    // [H, w] after the horizontal pass
    image.pixels.withUnsafeBufferPointer { px in   // [H, W, 3]
        for c in 0..<C {
            for i in 0..<(H * W) {
                plane[i] = C == 3 ? Float(px[3 * i + c])
                    : Float((Int(px[3 * i]) + Int(px[3 * i + 1]) + Int(px[3 * i + 2])) / 3)
            }
            for y in 0..<H { xTaps.apply(plane, offset: y * W, stride: 1, into: &rows, outOffset: y * w, outStride: 1) }
            let mean = spec.mean[c], std = spec.std[c]
            let base = c * h * w
            var column = [Float](repeating: 0, count: h)   // [h]
            for x in 0..<w {
                yTaps.apply(rows, offset: x, stride: w, into: &column, outOffset: 0, outStride: 1)
                for y in 0..<h { out[base + y * w + x] = (column[y] / 255 - mean) / std }
            }
        }
    }
}

extension InputSpec {
    /// The tensor value of the 8-bit sample `sample` in channel `channel`: `(sample / 255 − mean) / std`,
    /// the same arithmetic as `tensor(from:spec:)` (e.g. a white background's value, for `AffineFill`).
    public func value(ofSample sample: UInt8, channel: Int = 0) -> Float {
        (Float(sample) / 255 - mean[channel]) / std[channel]
    }
}

/// A 1-D resampling from `n` input to `m` output pixels as sparse rows: output j is
/// `Σ weights[k] · input[index[k]]` for k in `start[j] ..< start[j + 1]`.
struct ResampleTaps {
    /// `[m + 1]` offsets into `index` / `weights`.
    var start: [Int] = [0]
    /// Input pixel indices, 0..<n.
    var index: [Int] = []
    /// Weights; each output's weights sum to 1.
    var weights: [Float] = []

    /// Area averaging when `m < n`, centre-aligned bilinear otherwise (identity when `m == n`).
    init(from n: Int, to m: Int) {
        precondition(n > 0 && m > 0, "ResampleTaps: sizes must be positive")
        if m < n {
            let scale = Double(n) / Double(m)   // input pixels per output pixel
            for j in 0..<m {
                let lo = Double(j) * scale, hi = Double(j + 1) * scale
                var i = Int(lo.rounded(.down))
                while i < n, Double(i) < hi {
                    let overlap = min(Double(i + 1), hi) - max(Double(i), lo)
                    if overlap > 1e-12 { index.append(i); weights.append(Float(overlap / scale)) }
                    i += 1
                }
                start.append(index.count)
            }
        } else {
            let scale = Double(n) / Double(m)
            for j in 0..<m {
                let x = min(max((Double(j) + 0.5) * scale - 0.5, 0), Double(n - 1))
                let i0 = Int(x.rounded(.down)), f = x - Double(i0)
                index.append(i0); weights.append(Float(1 - f))
                if f > 0, i0 + 1 < n { index.append(i0 + 1); weights.append(Float(f)) }
                start.append(index.count)
            }
        }
    }

    /// Output count m.
    var outputCount: Int { start.count - 1 }

    /// Resamples the strided line `input[offset + i·stride]`, i in 0..<n, into `output[outOffset + j·outStride]`.
    func apply(_ input: [Float], offset: Int, stride: Int,
               into output: inout [Float], outOffset: Int, outStride: Int) {
        for j in 0..<outputCount {
            var sum: Float = 0
            for k in start[j]..<start[j + 1] { sum += weights[k] * input[offset + index[k] * stride] }
            output[outOffset + j * outStride] = sum
        }
    }
}
