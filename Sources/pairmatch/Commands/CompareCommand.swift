import ArgumentParser
import FaceAnalysis
import Foundation
import Workflows

/// `pairmatch compare A B`: are these two photos the same person?
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Are these two photos the same person? Prints the probability, distance and verdict.",
        discussion: "Uses the largest face of each photo (a warning names photos with several; --face-a/--face-b pick another). A photo with no face is an error (exit 2). With --json: {\"probability\", \"distance\", \"same\", \"threshold\", \"a\": {\"path\", \"box\", \"faces_found\"}, \"b\": {...}}."
    )

    @Argument(help: ArgumentHelp("First photo.", valueName: "a")) var a: String
    @Argument(help: ArgumentHelp("Second photo.", valueName: "b")) var b: String

    @Flag(help: "Print one JSON object.")
    var json = false

    @Option(name: .customLong("face-a"), help: ArgumentHelp("Use the N-th largest face of A (1 = largest).", valueName: "n"))
    var faceA = 1
    @Option(name: .customLong("face-b"), help: ArgumentHelp("Use the N-th largest face of B (1 = largest).", valueName: "n"))
    var faceB = 1

    @OptionGroup var headOptions: HeadOptions
    @OptionGroup var face: FaceOptions
    @OptionGroup var encoderOptions: EncoderOptions
    @OptionGroup var models: ModelOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if faceA < 1 || faceB < 1 { throw ValidationError("--face-a and --face-b count from 1") }
    }

    func run() throws {
        let loaded = try models.load(face: face, head: headOptions, encoder: encoderOptions)
        let settings = face.settings()
        let comparison: Comparison
        do {
            comparison = try CompareWorkflow.compare(.file(a), .file(b), faceA: faceA - 1, faceB: faceB - 1, models: loaded,
                                                     settings: settings, threads: runtime.resolvedThreads)
        } catch {
            throw CommandFailure(error)
        }
        let sides = [comparison.a!, comparison.b!]
        for (i, s) in sides.enumerated() where s.face.facesFound > 1 && s.faceIndex == 0 {
            Console.warn("\(s.path): \(s.face.facesFound) faces found; using the \(settings.choiceDescription) (--face-\(i == 0 ? "a" : "b") N picks another)")
        }
        if json {
            print(comparison.json().text)
        } else {
            print(String(format: "same person: %@ (probability %.4f, threshold %.2f)", comparison.same ? "yes" : "no", comparison.probability,
                         comparison.threshold))
            print(String(format: "distance:    %.4f", comparison.distance))
            for (i, s) in sides.enumerated() {
                let box = s.face.box.map { " box [\($0.left), \($0.top), \($0.right), \($0.bottom)]" } ?? " (aligned chip)"
                print("\(i == 0 ? "a" : "b"): \(s.path) face \(s.faceIndex + 1) of \(s.face.facesFound)\(box)")
            }
        }
    }
}
