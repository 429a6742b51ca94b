import Foundation

/// The three models pairmatch runs, each imported from one of dlib's CC0 `.dat` files
/// (PyPI package `face_recognition_models` 0.3.0) into one HDF5 file (Docs/MODEL_FILES.md).
public enum ModelFile: String, CaseIterable, Sendable {
    case encoder, detector, landmarks

    /// The HDF5 file's name inside the models folder.
    public var fileName: String { "\(rawValue).h5" }

    /// The `kind` attribute of the HDF5 file.
    public var kind: String { "pairmatch.\(rawValue)" }

    /// The dlib file it is imported from.
    public var dlibFileName: String {
        switch self {
        case .encoder: return "dlib_face_recognition_resnet_model_v1.dat"
        case .detector: return "mmod_human_face_detector.dat"
        case .landmarks: return "shape_predictor_5_face_landmarks.dat"
        }
    }

    /// The sha256 of the dlib file in `face_recognition_models` 0.3.0.
    public var expectedSHA256: String {
        switch self {
        case .encoder: return "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30"
        case .detector: return "4cb19393e2fbaf2b1609a9319ad5386618c886a6234ec1b971f3e87c85d87fe6"
        case .landmarks: return "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888"
        }
    }

    /// The current layout version written into `format_version`.
    public static let formatVersion = 1
}

/// Where imported models live: `--models DIR` if given, else `$PAIRMATCH_MODELS`, else
/// `$XDG_DATA_HOME/pairmatch/models`, else `~/.local/share/pairmatch/models`.
public enum ModelLocation {
    /// The environment variable that overrides the default folder.
    public static let environmentVariable = "PAIRMATCH_MODELS"

    /// The folder to use, given an optional explicit choice and the environment.
    public static func folder(explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit, !explicit.isEmpty { return URL(fileURLWithPath: explicit) }
        if let env = environment[environmentVariable], !env.isEmpty { return URL(fileURLWithPath: env) }
        let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".local/share")
        return base.appendingPathComponent("pairmatch/models")
    }
}
