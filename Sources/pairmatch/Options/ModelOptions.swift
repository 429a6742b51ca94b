import ArgumentParser
import Foundation
import ModelImport

/// `--models DIR`: where the imported model files live (shared by every command that runs a model).
struct ModelOptions: ParsableArguments {
    @Option(name: .customLong("models"), help: ArgumentHelp(
        "Folder of imported models (default: $PAIRMATCH_MODELS, else ~/.local/share/pairmatch/models).",
        valueName: "dir"))
    var folder: String?

    /// The resolved models folder.
    var url: URL { ModelLocation.folder(explicit: folder) }

    /// The path of one model file, or a failure (exit 3) that says which command creates it.
    func file(_ model: ModelFile) throws -> URL {
        let file = url.appendingPathComponent(model.fileName)
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw CommandFailure.model("\(file.path): no \(model.rawValue) model; create it with 'pairmatch models import --from DIR' (or 'make models')")
        }
        return file
    }
}
