import ArgumentParser
import Foundation

/// The `pairmatch` command: face pair matching with a twin ResNet encoder and a logistic head.
@main
struct Pairmatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pairmatch",
        abstract: "Are these two photos the same person? Face pair matching on a plain CPU.",
        discussion: """
        Exit codes: 0 success; 1 some inputs of a batch failed (the rest finished); 2 bad input \
        (missing or unreadable file, not an image, no face, malformed pairs file, an output another pairmatch is writing, a \
        --resume of another run's partial file); 3 model, head or gallery \
        file problem (missing, corrupt, wrong kind or encoder); 64 usage error.
        """,
        version: PairmatchVersion.string,
        subcommands: [
            CompareCommand.self,
            EmbedCommand.self,
            DetectCommand.self,
            ScoreCommand.self,
            TrainHeadCommand.self,
            TrainEncoderCommand.self,
            EvalCommand.self,
            EnrollCommand.self,
            IdentifyCommand.self,
            VerifyCommand.self,
            ServeCommand.self,
            GalleryCommand.self,
            ModelsCommand.self,
            BenchCommand.self,
        ]
    )

    /// Runs the command line, turning failures into one line on stderr and a documented exit code.
    static func main() {
        // Past a file-size limit (`ulimit -f`) the kernel would kill the process with SIGXFSZ mid-write; ignored,
        // the write fails with EFBIG instead and the command reports it like a full disk (temp file removed).
        signal(SIGXFSZ, SIG_IGN)
        UncheckedFileHints.install()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("pairmatch: error: \(failure.message)\n".utf8))
            Foundation.exit(failure.exitCode.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}

/// The tool's version string.
enum PairmatchVersion {
    static let string = "0.1.0"
}
