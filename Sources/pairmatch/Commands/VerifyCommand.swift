import ArgumentParser
import FaceAnalysis
import Foundation
import Gallery

/// `pairmatch verify`: is this photo the enrolled person NAME? (1:1 by identity)
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Is this photo the enrolled person NAME? Prints the probability, distance and verdict."
    )

    @OptionGroup var galleryOptions: GalleryOptions
    @Option(help: ArgumentHelp("The enrolled person.", valueName: "name")) var name: String
    @Argument(help: ArgumentHelp("The photo (its largest face is used).", valueName: "photo")) var photo: String
    @Flag(help: "Print one JSON object.") var json = false
    @OptionGroup var headOptions: HeadOptions
    @OptionGroup var face: FaceOptions
    @OptionGroup var encoderOptions: EncoderOptions
    @OptionGroup var models: ModelOptions
    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let analyzer = try models.analyzer(face, encoder: encoderOptions)
        let encoder = analyzer.encoder!
        let head = try models.head(headOptions, encoder: encoder, encoderOptions: encoderOptions)
        let gallery = try galleryOptions.load(encoder: encoder.fingerprint, dimension: encoder.embeddingDimension)
        let batch = BatchEmbedder(analyzer: analyzer, options: face.analysis(), threads: runtime.resolvedThreads, choice: face.choice())
        let query: ImageFace
        switch batch.face(in: URL(fileURLWithPath: photo)) {
        case .success(let f): query = f
        case .failure(let e): throw CommandFailure.badInput(e.message)
        }
        if query.facesFound > 1 { Console.warn("\(photo): \(query.facesFound) faces found; using the \(face.choice() == .largest ? "largest" : "first by --pick \(face.choice().rawValue)")") }
        let match: Match
        do { match = try gallery.verify(query.embedding, name: name, scorer: head) } catch { throw CommandFailure.badInput(error) }
        if json {
            print(JSONValue.object([("name", .string(name)), ("probability", .float(match.probability)), ("distance", .float(match.distance)),
                                    ("same", .bool(match.isAccepted)), ("threshold", .float(head.threshold)), ("path", .string(photo))]).text)
        } else {
            print(String(format: "%@ is %@: probability %.4f (threshold %.2f), distance %.4f", photo, match.isAccepted ? name : "not \(name)",
                         match.probability, head.threshold, match.distance))
        }
    }
}
