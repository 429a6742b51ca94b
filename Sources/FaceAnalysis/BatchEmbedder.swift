import FaceDetection
import FaceEmbedding
import Foundation
import ImageInput
import PairNet

/// The face a batch job uses for one image: the largest one (or the `faceIndex`-th largest), with how many
/// faces the image held. A failure (unreadable image, no face) is kept as its one-line message and its kind.
public struct ImageFace: Sendable, Equatable {
    public let embedding: Embedding
    /// The detector's box (nil for aligned chips).
    public let box: FaceBox?
    /// How many faces were found in the image.
    public let facesFound: Int
    /// The aligned 150×150 chip that was embedded (nil when the face came from the embedding cache).
    public let chip: FaceChip?
    /// The image's size in pixels (after EXIF orientation); 0 when the face came from the embedding cache.
    public let width: Int, height: Int

    public init(embedding: Embedding, box: FaceBox?, facesFound: Int, chip: FaceChip? = nil, width: Int = 0, height: Int = 0) {
        self.embedding = embedding
        self.box = box
        self.facesFound = facesFound
        self.chip = chip
        self.width = width
        self.height = height
    }
}

/// The outcome for one image of a batch: its face, or why there is none.
public typealias ImageOutcome = Result<ImageFace, ImageFailure>

/// Why an image yields no face: one line naming the image, and what kind of failure it is (so front ends can
/// tell a bad image from a photo without a face without reading the text).
public struct ImageFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Reason: Sendable, Equatable {
        /// The file or bytes are not a usable image (missing, unreadable, not an image, corrupt, too large).
        case image(ImageInputError)
        /// The image holds no face.
        case noFace
        /// The face asked for (0-based `index` in the choice order) does not exist; `found` faces were.
        case noSuchFace(index: Int, found: Int)
        /// A model the step needs is not loaded.
        case analysis(FaceAnalysisError)
        /// Anything else (kept as text).
        case other
    }

    public let message: String
    public let reason: Reason

    public init(_ message: String, reason: Reason = .other) {
        self.message = message
        self.reason = reason
    }

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
        let image: RGBImage
        switch decode(url) {
        case .success(let decoded): image = decoded
        case .failure(let failure): return .failure(failure)
        }
        let outcome = face(in: image, name: url.path, faceIndex: faceIndex)
        if faceIndex == 0, case .success(let face) = outcome { cache?.store(face, for: url) }
        return outcome
    }

    /// The face to use in a decoded `image` (called `name` in messages), as `face(in: URL, …)` does (no cache).
    public func face(in image: RGBImage, name: String, faceIndex: Int = 0) -> ImageOutcome {
        do {
            if analyzer.encoder?.input == .wholeImages {           // the whole image is the one face
                var whole = options
                whole.embed = true
                guard faceIndex == 0 else {
                    return .failure(ImageFailure("\(name): no face \(faceIndex + 1) (a whole-image encoder sees one)",
                                                 reason: .noSuchFace(index: faceIndex, found: 1)))
                }
                let f = try analyzer.faces(in: image, options: whole)[0]
                return .success(ImageFace(embedding: f.embedding!, box: f.box, facesFound: 1, chip: f.chip, width: image.width, height: image.height))
            }
            switch try locate(in: image, name: name, faceIndex: faceIndex) {
            case .failure(let failure): return .failure(failure)
            case .success(let f): return .success(f.with(embedding: try analyzer.embeddings(of: [f.face.chip], jitter: options.jitter)[0]))
            }
        } catch {
            return .failure(ImageFailure("\(name): \(error)", reason: .analysis(error)))
        }
    }

    /// `url` decoded under the options' limits, or the failure naming it (`.image` reason for unusable files).
    func decode(_ url: URL) -> Result<RGBImage, ImageFailure> {
        do {
            return .success(try ImageDecoder.decode(contentsOf: url, limits: ImageLimits(maxPixels: options.maxPixels, maxBytes: options.maxBytes)))
        } catch let error as ImageInputError {
            return .failure(ImageFailure("\(error)", reason: .image(error)))
        } catch {
            return .failure(ImageFailure("\(error)"))
        }
    }

    /// A face chosen in an image, not yet embedded.
    struct LocatedFace {
        let face: AnalyzedFace
        let facesFound: Int, width: Int, height: Int

        func with(embedding: Embedding) -> ImageFace {
            ImageFace(embedding: embedding, box: face.box, facesFound: facesFound, chip: face.chip, width: width, height: height)
        }
    }

    /// Detects and aligns every face of `image` and picks the one used (by `choice`, at `faceIndex`), without
    /// embedding it (the encoder is ~30% of the work, and the caller may batch it). Not for whole-image encoders.
    func locate(in image: RGBImage, name: String, faceIndex: Int) throws(FaceAnalysisError) -> Result<LocatedFace, ImageFailure> {
        var detectOnly = options
        detectOnly.embed = false
        let faces = try analyzer.faces(in: image, options: detectOnly)
        guard !faces.isEmpty else { return .failure(ImageFailure("\(name): no face found", reason: .noFace)) }
        guard faceIndex < faces.count else {
            return .failure(ImageFailure("\(name): no face \(faceIndex + 1) (found \(faces.count))",
                                         reason: .noSuchFace(index: faceIndex, found: faces.count)))
        }
        let f = choice.ordered(faces, width: image.width, height: image.height)[faceIndex]
        return .success(LocatedFace(face: f, facesFound: faces.count, width: image.width, height: image.height))
    }

    /// The faces of `urls` (index 0 of each), as `face(in: URL)` gives them one by one, but with every face
    /// located first and then embedded in one batch: the same embeddings (an embedding does not depend on its
    /// batch), faster. Cache hits skip all work; new faces are stored. One worker's call.
    public func faces(in urls: [URL]) -> [ImageOutcome] {
        guard analyzer.encoder?.input != .wholeImages, urls.count > 1 else { return urls.map { face(in: $0) } }
        var outcomes = [ImageOutcome?](repeating: nil, count: urls.count)
        var pending: [(index: Int, face: LocatedFace)] = []
        for (i, url) in urls.enumerated() {
            if let hit = cache?.lookup(url) { outcomes[i] = .success(hit); continue }
            let image: RGBImage
            switch decode(url) {
            case .success(let decoded): image = decoded
            case .failure(let failure): outcomes[i] = .failure(failure); continue
            }
            do {
                switch try locate(in: image, name: url.path, faceIndex: 0) {
                case .success(let f): pending.append((i, f))
                case .failure(let failure): outcomes[i] = .failure(failure)
                }
            } catch {
                outcomes[i] = .failure(ImageFailure("\(url.path): \(error)", reason: .analysis(error)))
            }
        }
        if !pending.isEmpty {
            do {
                let embeddings = try analyzer.embeddings(of: pending.map(\.face.face.chip), jitter: options.jitter)
                for (p, embedding) in zip(pending, embeddings) {
                    let face = p.face.with(embedding: embedding)
                    cache?.store(face, for: urls[p.index])
                    outcomes[p.index] = .success(face)
                }
            } catch {
                for p in pending { outcomes[p.index] = .failure(ImageFailure("\(urls[p.index].path): \(error)", reason: .analysis(error))) }
            }
        }
        return outcomes.map { $0! }
    }

    /// Embeds `urls` in parallel and returns the outcomes in input order; `completed(index, outcome)` is called
    /// for each, in input order, as soon as it and all earlier ones are done (see `OrderedWork`).
    /// Work is handed out in runs of consecutive images (`FaceAnalyzer.imagesPerBatch(count:threads:)`), each
    /// run's faces embedded together (`faces(in: [URL])`).
    public func run(_ urls: [URL], completed: (Int, ImageOutcome) -> Void = { _, _ in }) -> [ImageOutcome] {
        var outcomes: [ImageOutcome] = []
        outcomes.reserveCapacity(urls.count)
        let perBatch = FaceAnalyzer.imagesPerBatch(count: urls.count, threads: threads)
        let batches = stride(from: 0, to: urls.count, by: perBatch).map { $0..<min(urls.count, $0 + perBatch) }
        OrderedWork.run(count: batches.count, threads: threads, work: { faces(in: Array(urls[batches[$0]])) }, emit: { b, run in
            for (i, o) in zip(batches[b], run) {
                outcomes.append(o)
                completed(i, o)
            }
        })
        return outcomes
    }
}
