import ArgumentParser

/// `--head FILE`, `--prior P`: which logistic head decides, and the expected share of same-person pairs.
struct HeadOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Logistic head file (default: head.h5 in the models folder).", valueName: "file"))
    var head: String?

    // `.unconditional`: "--prior -0.5" reaches validate() (and its message) instead of reading as a missing value.
    @Option(parsing: .unconditional, help: ArgumentHelp("Prior probability that a pair is the same person (default 0.5, the head's own).", valueName: "p"))
    var prior: Double?

    func validate() throws {
        if let prior, !(prior > 0 && prior < 1) { throw ValidationError("--prior must be strictly between 0 and 1") }
    }
}
