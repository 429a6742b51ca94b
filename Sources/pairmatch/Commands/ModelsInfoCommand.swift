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

    func run() throws {
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
        }
    }
}
