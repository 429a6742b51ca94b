import ArgumentParser

/// `pairmatch bench`: speed and memory measurements (release builds), each against a baseline in the same run.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed and memory (build with -c release).",
        subcommands: [BenchEncoderCommand.self, BenchDetectorCommand.self, BenchGalleryCommand.self, BenchScoreCommand.self, BenchTrainCommand.self, BenchServeCommand.self, BenchClusterCommand.self]
    )
}
