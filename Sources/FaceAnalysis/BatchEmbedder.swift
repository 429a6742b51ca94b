import FaceDetection
import FaceEmbedding
import Foundation
import ImageInput

/// The face a batch job uses for one image: the largest one (or the `faceIndex`-th largest), with how many
/// faces the image held. A failure (unreadable image, no face) is kept as its one-line message.
public struct ImageFace: Sendable, Equatable {
    public let embedding: Embedding
    /// The detector's box (nil for aligned chips).
    public let box: FaceBox?
    /// How many faces were found in the image.
    public let facesFound: Int

    public init(embedding: Embedding, box: FaceBox?, facesFound: Int) {
        self.embedding = embedding
        self.box = box
        self.facesFound = facesFound
    }
}

/// The outcome for one image of a batch: its face, or why there is none.
public typealias ImageOutcome = Result<ImageFace, ImageFailure>

/// Why an image yields no face, as one line naming the image.
public struct ImageFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Which face of a photo with several a job uses.
public enum FaceChoice: String, Sendable, CaseIterable {
    /// The largest box (general photos: the subject is usually nearest the camera).
    case largest
    /// The box whose centre is nearest the image centre (photos cropped around their subject, such as LFW).
    case center
    /// The detector's most confident box (dlib's own order).
    case score

    /// `faces` reordered by this rule (stable; `faces` arrive largest first).
    public func ordered(_ faces: [AnalyzedFace], width: Int, height: Int) -> [AnalyzedFace] {
        switch self {
        case .largest: return faces
        case .score: return faces.enumerated().sorted { ($0.element.score ?? 0, -$0.offset) > ($1.element.score ?? 0, -$1.offset) }.map(\.element)
        case .center:
            let cx = Double(width - 1) / 2, cy = Double(height - 1) / 2
            func d(_ f: AnalyzedFace) -> Double {
                guard let b = f.box else { return 0 }
                let x = Double(b.left + b.right) / 2 - cx, y = Double(b.top + b.bottom) / 2 - cy
                return x * x + y * y
            }
            return faces.enumerated().sorted { (d($0.element), $0.offset) < (d($1.element), $1.offset) }.map(\.element)
        }
    }
}

/// Embeds many images on several cores: each distinct image is decoded, detected, aligned and embedded
/// exactly once, by one of `threads` workers (whole images in parallel, OpenBLAS single-threaded per
/// worker, so the result for an image never depends on the thread count or on the other images).
public struct BatchEmbedder: Sendable {
    public let analyzer: FaceAnalyzer
    public let options: AnalysisOptions
    public let threads: Int
    /// Embeddings from earlier runs; hits skip all work, new results are stored.
    public let cache: EmbeddingCache?
    /// Which face to use in photos with several.
    public let choice: FaceChoice

    public init(analyzer: FaceAnalyzer, options: AnalysisOptions, threads: Int, cache: EmbeddingCache? = nil, choice: FaceChoice = .largest) {
        self.analyzer = analyzer
        self.options = options
        self.threads = max(1, threads)
        self.cache = cache
        self.choice = choice
    }

    /// The face to use in one image: the first by `choice`, or the one at `faceIndex` in that order. Only that
    /// face is embedded (`options.embed` is ignored; `options.jitter` applies).
    public func face(in url: URL, faceIndex: Int = 0) -> ImageOutcome {
        if faceIndex == 0, let hit = cache?.lookup(url) { return .success(hit) }
        do {
            if analyzer.encoder?.input == .wholeImages {           // the whole image is the one face
                var whole = options
                whole.embed = true
                let analyzed = try analyzer.analyze(contentsOf: url, options: whole)
                guard faceIndex == 0 else { return .failure(ImageFailure("\(url.path): no face \(faceIndex + 1) (a whole-image encoder sees one)")) }
                let face = ImageFace(embedding: analyzed.faces[0].embedding!, box: analyzed.faces[0].box, facesFound: 1)
                cache?.store(face, for: url)
                return .success(face)
            }
            // Detect and align every face, but embed only the one used (the encoder is ~30% of the work).
            var detectOnly = options
            detectOnly.embed = false
            let analyzed = try analyzer.analyze(contentsOf: url, options: detectOnly)
            guard !analyzed.faces.isEmpty else { return .failure(ImageFailure("\(url.path): no face found")) }
            guard faceIndex < analyzed.faces.count else {
                return .failure(ImageFailure("\(url.path): no face \(faceIndex + 1) (found \(analyzed.faces.count))"))
            }
            let f = choice.ordered(analyzed.faces, width: analyzed.width, height: analyzed.height)[faceIndex]
            let embedding = analyzer.embeddings(of: [f.chip], jitter: options.jitter)[0]
            let face = ImageFace(embedding: embedding, box: f.box, facesFound: analyzed.faces.count)
            if faceIndex == 0 { cache?.store(face, for: url) }
            return .success(face)
        } catch {
            return .failure(ImageFailure("\(error)"))
        }
    }

    /// Embeds `urls` in parallel and returns the outcomes in input order; `completed(index, outcome)` is called
    /// for each, in input order, as soon as it and all earlier ones are done (see `OrderedWork`).
    public func run(_ urls: [URL], completed: (Int, ImageOutcome) -> Void = { _, _ in }) -> [ImageOutcome] {
        var outcomes: [ImageOutcome] = []
        outcomes.reserveCapacity(urls.count)
        OrderedWork.run(count: urls.count, threads: threads, work: { face(in: urls[$0]) }, emit: { i, o in
            outcomes.append(o)
            completed(i, o)
        })
        return outcomes
    }
}
