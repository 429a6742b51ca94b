import WeightStore

/// The warning for a file written before pairmatch wrote checksums: one line on stderr (never stdout, so `--json`
/// output stays intact) naming the file and the command that rewrites it with checksums.
enum UncheckedFileHints {
    /// Routes `UncheckedFiles` reports to `Console.warn` with the hint for each kind.
    static func install() {
        UncheckedFiles.setHandler { path, kind in
            guard let hint = hint(kind: kind) else { return }
            Console.warn("\(path) has no checksums (written by an older pairmatch), so damage to it cannot be detected; \(hint)")
        }
    }

    /// How a file of `kind` gets rewritten; nil for kinds whose weights are verified by their own fingerprint.
    static func hint(kind: String) -> String? {
        switch kind {
        case "pairmatch.encoder", "pairmatch.detector", "pairmatch.landmarks":
            return "rewrite the models with 'pairmatch models import --from DIR' (DIR: dlib's .dat files, fetched by 'make models')"
        case "pairmatch.head":
            return "retrain it with 'pairmatch train-head' (the default head.h5: delete it and run 'make models', which copies Data/default-head.h5)"
        case "pairmatch.gallery":
            return "the next 'pairmatch enroll' or 'pairmatch gallery remove' on it rewrites it with checksums"
        case "pairmatch.embedding-cache":
            return "delete it and the next run with --cache rebuilds it with checksums"
        case "pairmatch.image-encoder":
            return nil   // the `fingerprint` (sha256 over every tensor) is checked at load
        case "pairmatch.training-checkpoint":
            return "the next checkpoint written by 'pairmatch train-encoder --resume' has checksums"
        default:
            return "rewrite it with the command that created it"
        }
    }
}
