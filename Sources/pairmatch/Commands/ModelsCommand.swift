import ArgumentParser

/// `pairmatch models`: import dlib's models and show what is installed.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Import dlib's model files and show the imported models.",
        subcommands: [ModelsImportCommand.self, ModelsInfoCommand.self]
    )
}
