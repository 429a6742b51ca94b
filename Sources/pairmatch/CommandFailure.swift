import ArgumentParser
import Workflows

/// A failure the CLI reports as one line (`pairmatch: error: <message>`) with a documented exit code.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    let exitCode: ExitCode

    var description: String { message }

    /// Some inputs of a batch failed; the rest finished (exit 1).
    static func partial(_ message: String) -> CommandFailure { .init(message: message, exitCode: ExitCode(1)) }
    /// A bad user input: file, image, face, pairs file (exit 2).
    static func badInput(_ error: Error) -> CommandFailure { .init(message: "\(error)", exitCode: ExitCode(2)) }
    static func badInput(_ message: String) -> CommandFailure { .init(message: message, exitCode: ExitCode(2)) }
    /// A model, head or gallery file problem (exit 3).
    static func model(_ error: Error) -> CommandFailure { .init(message: "\(error)", exitCode: ExitCode(3)) }
    static func model(_ message: String) -> CommandFailure { .init(message: message, exitCode: ExitCode(3)) }
}

extension CommandFailure {
    /// A workflow's failure, with its documented exit code.
    init(_ error: WorkflowError) { self.init(message: error.message, exitCode: ExitCode(error.exitCode)) }
}
