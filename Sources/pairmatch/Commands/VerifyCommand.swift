import ArgumentParser
import Foundation
import Workflows

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
        let loaded = try models.load(face: face, head: headOptions, encoder: encoderOptions)
        let encoder = loaded.encoder!
        let gallery = try galleryOptions.load(encoder: encoder.fingerprint, dimension: encoder.embeddingDimension)
        let settings = face.settings()
        let verification: Verification
        do { verification = try IdentifyWorkflow.verify(.file(photo), name: name, gallery: gallery, models: loaded, settings: settings) } catch {
            throw CommandFailure(error)
        }
        if let f = verification.face, f.facesFound > 1 { Console.warn("\(photo): \(f.facesFound) faces found; using the \(settings.choiceDescription)") }
        let match = verification.match
        if json {
            print(verification.json().text)
        } else {
            print(String(format: "%@ is %@: probability %.4f (threshold %.2f), distance %.4f", photo, match.isAccepted ? name : "not \(name)",
                         match.probability, verification.threshold, match.distance))
        }
    }
}
