import ArgumentParser
import FaceAnalysis
import FaceEmbedding
import Foundation
import Gallery

/// `pairmatch identify`: who is in these photos? Every face against the gallery (1:N, open set).
struct IdentifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identify",
        abstract: "Identify every face of each photo against a gallery; below the head's threshold the answer is unknown.",
        discussion: "With --json, one line per photo: {\"path\", \"faces\": [{\"box\", \"matches\": [{\"name\", \"probability\", \"distance\"}], \"decision\"}]}, faces largest first; decision is a name or \"unknown\"."
    )

    @OptionGroup var galleryOptions: GalleryOptions
    @Argument(help: ArgumentHelp("Photos to identify.", valueName: "photo")) var photos: [String]
    @Option(help: ArgumentHelp("Candidates to list per face.", valueName: "k")) var top = 3
    @Flag(help: "Print JSON lines.") var json = false
    @OptionGroup var headOptions: HeadOptions
    @OptionGroup var face: FaceOptions
    @OptionGroup var encoderOptions: EncoderOptions
    @OptionGroup var models: ModelOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws { if top < 1 { throw ValidationError("--top must be at least 1") } }

    func run() throws {
        let analyzer = try models.analyzer(face, encoder: encoderOptions)
        let encoder = analyzer.encoder!
        let head = try models.head(headOptions, encoder: encoder, encoderOptions: encoderOptions)
        let gallery = try galleryOptions.load(encoder: encoder.fingerprint, dimension: encoder.embeddingDimension)
        guard !gallery.isEmpty else { throw CommandFailure.model("\(galleryOptions.gallery): the gallery is empty") }
        let options = face.analysis()
        var failures = 0
        OrderedWork.run(count: photos.count, threads: runtime.resolvedThreads, work: { i -> Result<AnalyzedImage, Error> in
            Result { try analyzer.analyze(contentsOf: URL(fileURLWithPath: photos[i]), options: options) }
        }, emit: { i, result in
            switch result {
            case .failure(let error):
                failures += 1
                if json { print(FaceJSON.failure(path: photos[i], "\(error)").text) } else { Console.error("\(error)") }
            case .success(let analyzed):
                let results = (try? gallery.search(analyzed.faces.map { $0.embedding! }, topK: top, scorer: head)) ?? []
                if json {
                    let faces: [JSONValue] = zip(analyzed.faces, results).map { f, r in
                        .object([("box", f.box.map(FaceJSON.box) ?? .null),
                                 ("matches", .array(r.matches.map { .object([("name", .string($0.name)), ("probability", .float($0.probability)),
                                                                             ("distance", .float($0.distance))]) })),
                                 ("decision", .string(r.decision ?? "unknown"))])
                    }
                    print(JSONValue.object([("path", .string(photos[i])), ("faces", .array(faces))]).text)
                } else {
                    print("\(photos[i]): \(analyzed.faces.count) face\(analyzed.faces.count == 1 ? "" : "s")")
                    for (k, (f, r)) in zip(analyzed.faces, results).enumerated() {
                        let box = f.box.map { " [\($0.left), \($0.top), \($0.right), \($0.bottom)]" } ?? ""
                        let best = r.best.map { String(format: " (best %@: p %.3f, d %.3f)", $0.name, $0.probability, $0.distance) } ?? ""
                        print("  face \(k + 1)\(box): \(r.decision ?? "unknown")\(best)")
                    }
                }
            }
            Console.flush()
        })
        if failures > 0 { throw CommandFailure.partial("\(failures) of \(photos.count) photos failed") }
    }
}
