import ArgumentParser
import FaceAnalysis
import FaceEmbedding
import Foundation
import LogisticHead

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
        let analyzer = try models.analyzer(face, encoder: encoderOptions)
        let head = try models.head(headOptions, encoder: analyzer.encoder!, encoderOptions: encoderOptions)
        let batch = BatchEmbedder(analyzer: analyzer, options: face.analysis(), threads: runtime.resolvedThreads, choice: face.choice())
        let paths = [a, b], picks = [faceA - 1, faceB - 1]
        var outcomes = [ImageOutcome](repeating: .failure(ImageFailure("")), count: 2)
        OrderedWork.run(count: 2, threads: runtime.resolvedThreads, work: { i in
            batch.face(in: URL(fileURLWithPath: paths[i]), faceIndex: picks[i])
        }, emit: { i, o in outcomes[i] = o })
        var faces: [ImageFace] = []
        for (i, o) in outcomes.enumerated() {
            switch o {
            case .success(let f):
                if f.facesFound > 1, picks[i] == 0 {
                    Console.warn("\(paths[i]): \(f.facesFound) faces found; using the \(face.choice() == .largest ? "largest" : "first by --pick \(face.choice().rawValue)") (--face-\(i == 0 ? "a" : "b") N picks another)")
                }
                faces.append(f)
            case .failure(let e):
                throw CommandFailure.badInput(e.message)
            }
        }
        let features = PairFeatures(faces[0].embedding, faces[1].embedding, kind: head.featureKind)
        let p = head.probability(features)
        let distance = faces[0].embedding.distance(to: faces[1].embedding)
        let same = p >= head.threshold
        if json {
            func side(_ i: Int) -> JSONValue {
                .object([("path", .string(paths[i])), ("box", faces[i].box.map(FaceJSON.box) ?? .null),
                         ("faces_found", .int(faces[i].facesFound))])
            }
            print(JSONValue.object([("probability", .float(p)), ("distance", .float(distance)), ("same", .bool(same)),
                                    ("threshold", .float(head.threshold)), ("a", side(0)), ("b", side(1))]).text)
        } else {
            print(String(format: "same person: %@ (probability %.4f, threshold %.2f)", same ? "yes" : "no", p, head.threshold))
            print(String(format: "distance:    %.4f", distance))
            for i in 0..<2 {
                let f = faces[i]
                let box = f.box.map { " box [\($0.left), \($0.top), \($0.right), \($0.bottom)]" } ?? " (aligned chip)"
                print("\(i == 0 ? "a" : "b"): \(paths[i]) face \(picks[i] + 1) of \(f.facesFound)\(box)")
            }
        }
    }
}
