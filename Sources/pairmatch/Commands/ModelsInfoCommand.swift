import ArgumentParser
import Foundation
import ModelImport
import WeightStore

/// `pairmatch models info`: summarise the imported model files.
struct ModelsInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show the imported models: parameters, structure and source fingerprint."
    )

    @OptionGroup var models: ModelOptions

    @Flag(help: ArgumentHelp("Recompute each model's checksums and compare it with the dlib .dat it was imported from (exit 3 on a mismatch)."))
    var verify = false

    @Option(help: ArgumentHelp("Folder of dlib's .dat files for --verify (default: where 'make models' unpacks them).", valueName: "dir"))
    var sources: String?

    func run() throws {
        var failures: [String] = []
        print("models folder: \(models.url.path)")
        for model in ModelFile.allCases {
            let url = try models.file(model)
            let archive: WeightArchive
            do { archive = try WeightArchive.read(from: url, kind: model.kind) } catch { throw CommandFailure.model(error) }
            let params = (try? archive.integer("parameter_count")) ?? 0
            let norm = (try? archive.integer(model == .encoder ? "affine_parameter_count" : "bn_parameter_count")) ?? 0
            let structure: String
            if model == .landmarks {
                structure = "\((try? archive.integer("cascade_levels")) ?? 0) cascade levels × \((try? archive.integer("trees_per_level")) ?? 0) trees"
            } else {
                structure = "\((try? archive.integer("count", on: "layers")) ?? 0) layers"
            }
            print(ModelSummary.line(model, path: url.path, parameters: params, normalisation: norm, structure: structure,
                                    sha256: (try? archive.string("fingerprint")) ?? "?"))
            if verify {
                let folder = sources.map { URL(fileURLWithPath: $0) } ?? ModelVerification.defaultSourceFolder()
                let result = ModelVerification.verify(archive, as: model, sources: folder)
                for line in result.lines { print("  \(line)") }
                failures += result.failures
            }
        }
        if let first = failures.first {
            throw CommandFailure.model(failures.count == 1 ? first : "\(first) (and \(failures.count - 1) more)")
        }
    }
}
