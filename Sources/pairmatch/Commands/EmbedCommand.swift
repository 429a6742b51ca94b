import ArgumentParser
import FaceAnalysis
import Foundation
import Workflows
import ImageInput
import WeightStore

/// `pairmatch embed`: every face of every photo, with its 128-d embedding.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Print the faces of each photo with their 128-d embeddings.",
        discussion: "One line per image. With --json: {\"path\", \"width\", \"height\", \"faces\": [{\"box\", \"score\", \"landmarks\", \"embedding\"}]} (with --aligned: {\"path\", \"faces\": [{\"embedding\"}]}); an image that fails gives {\"path\", \"error\"} and the command exits 1 after finishing the rest."
    )

    @OptionGroup var report: FaceReportOptions
    @OptionGroup var face: FaceOptions
    @OptionGroup var encoderOptions: EncoderOptions
    @OptionGroup var models: ModelOptions
    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        try FaceReport(images: report.images, json: report.json, chips: report.chips, face: face, encoderOptions: encoderOptions,
                       models: models, runtime: runtime, embed: true).run()
    }
}

/// `pairmatch detect`: faces, boxes and landmarks, no embeddings.
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Print the faces of each photo: box, score and 5 landmarks.",
        discussion: "Same output as 'embed' without embeddings."
    )

    @OptionGroup var report: FaceReportOptions
    @OptionGroup var face: FaceOptions
    @OptionGroup var models: ModelOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if face.aligned { throw ValidationError("--aligned has nothing to detect; use 'embed --aligned'") }
    }

    func run() throws {
        try FaceReport(images: report.images, json: report.json, chips: report.chips, face: face, encoderOptions: nil,
                       models: models, runtime: runtime, embed: false).run()
    }
}

/// The photos and output choices shared by `embed` and `detect`.
struct FaceReportOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Photos (JPEG, PNG, PGM/PPM).", valueName: "image"))
    var images: [String]

    @Flag(help: "Print JSON lines.")
    var json = false

    @Option(help: ArgumentHelp("Also write each face's aligned chip as PNG into this folder.", valueName: "dir"))
    var chips: String?
}

/// The shared body of `embed` and `detect`: images in parallel, lines printed in input order.
struct FaceReport {
    let images: [String]
    let json: Bool
    let chips: String?
    let face: FaceOptions
    let encoderOptions: EncoderOptions?
    let models: ModelOptions
    let runtime: RuntimeOptions
    let embed: Bool

    func run() throws {
        try OutputSafety.check(files: [], folders: [chips], inputs: [])
        let analyzer = try models.analyzer(face, encoder: encoderOptions, embed: embed)
        let options = face.analysis(embed: embed)
        let chipFolder = chips.map { URL(fileURLWithPath: $0) }
        if let chipFolder {
            do { try FileManager.default.createDirectory(at: chipFolder, withIntermediateDirectories: true) } catch {
                throw CommandFailure.badInput("\(chipFolder.path): cannot create folder")
            }
        }
        var failures = 0
        // Batches of consecutive images, each one worker's: their faces are embedded together (same results as
        // one at a time, faster), lines still printed in input order.
        let threads = runtime.resolvedThreads
        let perBatch = FaceAnalyzer.imagesPerBatch(count: images.count, threads: threads)
        let batches = stride(from: 0, to: images.count, by: perBatch).map { $0..<min(images.count, $0 + perBatch) }
        OrderedWork.run(count: batches.count, threads: threads, work: { b -> [Result<AnalyzedImage, Error>] in
            analyzer.analyze(contentsOf: batches[b].map { URL(fileURLWithPath: images[$0]) }, options: options)
        }, emit: { b, results in
          for (i, result) in zip(batches[b], results) {
            switch result {
            case .success(var analyzed):
                analyzed = AnalyzedImage(path: images[i], width: analyzed.width, height: analyzed.height, faces: analyzed.faces)
                if let chipFolder { failures += writeChips(analyzed, to: chipFolder, index: i) }
                print(json ? FaceJSON.image(analyzed, embedding: embed, aligned: face.aligned).text : text(analyzed))
            case .failure(let error):
                failures += 1
                if json { print(FaceJSON.failure(path: images[i], "\(error)").text) } else { Console.error("\(error)") }
            }
            Console.flush()
          }
        })
        if failures > 0 { throw CommandFailure.partial("\(failures) of \(images.count) images failed") }
    }

    private func text(_ a: AnalyzedImage) -> String {
        var lines = ["\(a.path): \(a.faces.count) face\(a.faces.count == 1 ? "" : "s")" + (face.aligned ? "" : " (\(a.width)×\(a.height))")]
        for (k, f) in a.faces.enumerated() {
            var s = "  face \(k + 1):"
            if let b = f.box { s += " box [\(b.left), \(b.top), \(b.right), \(b.bottom)]" }
            if let sc = f.score { s += String(format: " score %.3f", sc) }
            if !f.landmarks.isEmpty { s += " landmarks " + f.landmarks.map { "(\($0.x),\($0.y))" }.joined(separator: " ") }
            if let e = f.embedding { s += String(format: " |f| %.4f", e.norm) }
            lines.append(s)
        }
        return lines.joined(separator: "\n")
    }

    /// Writes `<image name>_<k>.png` per face; returns 1 if writing failed or the chip's path is refused by
    /// `OutputPath` (a link, device or FIFO, or one of the photos: reported), else 0.
    private func writeChips(_ a: AnalyzedImage, to folder: URL, index: Int) -> Int {
        let stem = URL(fileURLWithPath: a.path).deletingPathExtension().lastPathComponent
        for (k, f) in a.faces.enumerated() {
            let url = folder.appendingPathComponent("\(stem)_\(k).png")
            do {
                try OutputPath.checkFile(url.path, inputs: images)   // never a link, device or one of the photos
                try RGBImage(width: 150, height: 150, pixels: f.chip.pixels).write(png: url)
            } catch let refused as OutputPathError {
                Console.error("\(url.path): cannot write chip (\(refused.cause))")
                return 1
            } catch {
                Console.error("\(url.path): cannot write chip (\(error))")
                return 1
            }
        }
        return 0
    }
}
