/// What an image encoder expects as input: a `channels × height × width` float tensor made from an 8-bit
/// image by `value = (sample / 255 − mean[c]) / std[c]`.
///
/// Gray (`channels == 1`) uses dlib's rule (r + g + b) / 3 on the 8-bit samples before scaling. Every
/// trained encoder records its input spec in its file, so whoever embeds an image converts it the same way.
public struct InputSpec: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Pixels (> 0).
    public var width: Int
    /// Pixels (> 0).
    public var height: Int
    /// 1 (gray) or 3 (RGB) for images; other counts ≥ 1 describe feature inputs that are not made from images.
    public var channels: Int
    /// `[channels]`, in units of sample/255 (0…1).
    public var mean: [Float]
    /// `[channels]`, > 0, in units of sample/255.
    public var std: [Float]

    /// Precondition: sizes > 0, channels ≥ 1, mean and std of `channels` values, std > 0.
    public init(width: Int, height: Int, channels: Int, mean: [Float]? = nil, std: [Float]? = nil) {
        precondition(width > 0 && height > 0, "input spec: size \(width)×\(height) must be positive")
        precondition(channels >= 1, "input spec: channels must be ≥ 1, got \(channels)")
        let m = mean ?? [Float](repeating: 0.5, count: channels)
        let s = std ?? [Float](repeating: 0.5, count: channels)
        precondition(m.count == channels && s.count == channels && s.allSatisfy { $0 > 0 },
                     "input spec: mean/std must have \(channels) values and std > 0")
        self.width = width
        self.height = height
        self.channels = channels
        self.mean = m
        self.std = s
    }

    /// Floats per image: channels · height · width.
    public var count: Int { channels * height * width }

    /// The per-image tensor shape `[C, H, W]`.
    public var shape: ImageShape { ImageShape(c: channels, h: height, w: width) }

    public var description: String {
        "\(width)×\(height) " + (channels == 1 ? "gray" : channels == 3 ? "rgb" : "\(channels)-channel")
    }
}

/// The shape of one image's feature map, `[C, H, W]` (batch excluded).
public struct ImageShape: Codable, Hashable, Sendable, CustomStringConvertible {
    public var c: Int, h: Int, w: Int
    public init(c: Int, h: Int, w: Int) { self.c = c; self.h = h; self.w = w }
    /// c · h · w.
    public var count: Int { c * h * w }
    public var description: String { "[\(c), \(h), \(w)]" }
}
