import FaceEmbedding
import Foundation
import ImageDataset
import ImageInput
import LayerGraph
import PairNet
import WeightStore

/// What the face pipeline's inputs are for an encoder.
public enum EncoderInput: String, Sendable, Equatable {
    /// Aligned 150×150 face chips: faces are detected and aligned first (the face ResNet, or one fine-tuned from it).
    case faceChips
    /// The whole image, converted to the encoder's `InputSpec` (no detection or alignment).
    case wholeImages
}

/// The seam between the jobs and an encoder: the identity files record (`fingerprint`), the size of its embeddings,
/// what it reads, and the embedding of a list of images. Heads, galleries and caches take their dimension from it,
/// and refuse another encoder's files by fingerprint.
public protocol ImageEncoder: Sendable {
    var fingerprint: String { get }
    var embeddingDimension: Int { get }
    var input: EncoderInput { get }
    /// Embeddings of `images` in order (150×150 chips for `.faceChips`; any size for `.wholeImages`), using up to
    /// `threads` worker threads. Each image's embedding does not depend on the others or on `threads`.
    func embed(_ images: [RGBImage], threads: Int) -> [Embedding]
}

/// The imported dlib face ResNet (PairNet): chips in, 128-d embeddings out.
extension Encoder: ImageEncoder {
    public var embeddingDimension: Int { Embedding.faceDimension }
    public var input: EncoderInput { .faceChips }
    public func embed(_ images: [RGBImage], threads: Int) -> [Embedding] {
        embed(images.map { ChipConversion.chip(from: $0) }, threads: threads)
    }
}

/// An encoder trained by `train-encoder` (kind `pairmatch.image-encoder`), run in NetLayers' inference form.
/// Its `domain` decides what it reads: "faces" means aligned chips from the face pipeline, anything else the
/// whole image. Images are converted with `ImageDataset.tensor(from:spec:)`, the conversion training used.
public final class TrainedImageEncoder: ImageEncoder {
    public let network: InferenceNetwork
    public let domain: String
    public let fingerprint: String
    public let embeddingDimension: Int
    /// Images per forward pass.
    static let batch = 64

    public init(weights: NetworkWeights, domain: String) throws {
        network = try InferenceNetwork(weights: weights)
        self.domain = domain
        fingerprint = network.fingerprint
        embeddingDimension = network.outputCount
    }

    /// Reads an encoder file, checking its fingerprint against its weights (a corrupt file is an error).
    public convenience init(contentsOf url: URL) throws {
        try self.init(archive: try WeightArchive.read(from: url, kind: NetworkWeights.fileKind))
    }

    /// The same from an archive in memory (kind `pairmatch.image-encoder`).
    public convenience init(archive: WeightArchive) throws {
        try self.init(weights: try NetworkWeights(archive: archive), domain: try archive.string("domain"))
    }

    public var input: EncoderInput { domain == "faces" ? .faceChips : .wholeImages }
    public var inputSpec: InputSpec { network.spec.input }

    public func embed(_ images: [RGBImage], threads: Int) -> [Embedding] {
        let spec = network.spec.input, d = embeddingDimension
        var out: [Embedding] = []
        out.reserveCapacity(images.count)
        var start = 0
        while start < images.count {
            let n = min(Self.batch, images.count - start)
            var x: [Float] = []                                  // [n, C, H, W]
            x.reserveCapacity(n * spec.count)
            for i in start..<(start + n) { x += tensor(from: images[i], spec: spec) }
            let y = network.forward(x, count: n)                 // [n, D]
            for i in 0..<n { out.append(Embedding(Array(y[(i * d)..<((i + 1) * d)]))) }
            start += n
        }
        return out
    }
}

/// 150×150 RGB images ↔ `FaceChip`.
enum ChipConversion {
    static func chip(from image: RGBImage) -> FaceChip {
        precondition(image.width == FaceChip.size && image.height == FaceChip.size, "a face chip is 150×150")
        return try! FaceChip(pixels: image.pixels)
    }

    static func image(from chip: FaceChip) -> RGBImage {
        try! RGBImage(width: FaceChip.size, height: FaceChip.size, pixels: chip.pixels)
    }
}
