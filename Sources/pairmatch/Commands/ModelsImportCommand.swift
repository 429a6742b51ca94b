import ArgumentParser
import Foundation
import ModelImport

/// `pairmatch models import --from DIR`: convert dlib's three `.dat` files into HDF5 model files.
struct ModelsImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert dlib's CC0 model files (face_recognition_models 0.3.0) into pairmatch's HDF5 models."
    )

    @Option(name: .customLong("from"), help: ArgumentHelp(
        "Folder holding \(ModelFile.allCases.map(\.dlibFileName).joined(separator: ", ")).", valueName: "dir"))
    var source: String

    @OptionGroup var models: ModelOptions

    func run() throws {
        let sources = ModelFile.allCases.map { URL(fileURLWithPath: source).appendingPathComponent($0.dlibFileName).path }
        let outputs = ModelFile.allCases.map { models.url.appendingPathComponent($0.fileName).path }
        // The models folder is created when missing; its files are checked once it exists.
        try OutputSafety.check(files: FileManager.default.fileExists(atPath: models.url.path) ? outputs : [],
                               folders: [models.url.path], inputs: sources)
        let imported: [ImportedModel]
        do {
            imported = try ModelImporter.importAll(from: URL(fileURLWithPath: source), to: models.url)
        } catch {
            throw CommandFailure.badInput(error)
        }
        for m in imported {
            if m.sourceSHA256 != m.model.expectedSHA256 {
                FileHandle.standardError.write(Data("pairmatch: warning: \(m.model.dlibFileName) is not the file of face_recognition_models 0.3.0 (sha256 \(m.sourceSHA256))\n".utf8))
            }
            print(ModelSummary.line(m.model, path: m.destination.path, parameters: m.parameterCount,
                                    normalisation: m.normalisationParameterCount, structure: m.structure, sha256: m.sourceSHA256))
        }
    }
}

/// One line describing an imported model, shared by `models import` and `models info`.
enum ModelSummary {
    static func line(_ model: ModelFile, path: String, parameters: Int, normalisation: Int, structure: String, sha256: String) -> String {
        let norm = normalisation > 0 ? " + \(grouped(normalisation)) \(model == .encoder ? "affine" : "batch-norm") γ/β" : ""
        return "\(model.rawValue): \(path)  \(grouped(parameters)) parameters\(norm); \(structure); sha256 \(sha256.prefix(12))…"
    }

    static func grouped(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0, (s.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }
}
