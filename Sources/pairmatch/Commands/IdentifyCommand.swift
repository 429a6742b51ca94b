import ArgumentParser
import FaceAnalysis
import Foundation
import Workflows

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
        let loaded = try models.load(face: face, head: headOptions, encoder: encoderOptions)
        let encoder = loaded.encoder!
        let gallery = try galleryOptions.load(encoder: encoder.fingerprint, dimension: encoder.embeddingDimension)
        guard !gallery.isEmpty else { throw CommandFailure.model("\(galleryOptions.gallery): the gallery is empty") }
        let settings = face.settings()
        var failures = 0
        OrderedWork.run(count: photos.count, threads: runtime.resolvedThreads, work: { i in
            Result { () throws(WorkflowError) -> Identification in
                try IdentifyWorkflow.identify(.file(photos[i]), topK: top, gallery: gallery, models: loaded, settings: settings)
            }
        }, emit: { i, result in
            switch result {
            case .failure(let error):
                failures += 1
                if json { print(FaceJSON.failure(path: photos[i], error.message).text) } else { Console.error(error.message) }
            case .success(let found):
                if json {
                    print(found.json().text)
                } else {
                    print("\(photos[i]): \(found.faces.count) face\(found.faces.count == 1 ? "" : "s")")
                    for (k, f) in found.faces.enumerated() {
                        let box = f.box.map { " [\($0.left), \($0.top), \($0.right), \($0.bottom)]" } ?? ""
                        let best = f.result.best.map { String(format: " (best %@: p %.3f, d %.3f)", $0.name, $0.probability, $0.distance) } ?? ""
                        print("  face \(k + 1)\(box): \(f.result.decision ?? "unknown")\(best)")
                    }
                }
            }
            Console.flush()
        })
        if failures > 0 { throw CommandFailure.partial("\(failures) of \(photos.count) photos failed") }
    }
}
