import Foundation
import ModelImport

/// Locations the tests read from. Everything outside the repository is optional: a test that needs it
/// calls `XCTSkip`-style helpers with the printed reason when it is absent.
public enum TestPaths {
    /// The repository root (the folder holding Package.swift).
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }   // Tests/TestSupport/TestPaths.swift -> root
        return url
    }()

    /// Fixtures committed with the tests: `Tests/Fixtures`.
    public static var fixtures: URL { repositoryRoot.appendingPathComponent("Tests/Fixtures") }

    /// The team's shared folder: `$PAIRMATCH_SHARED`, else `../shared` beside the checkout; nil when absent.
    public static var shared: URL? {
        let env = ProcessInfo.processInfo.environment["PAIRMATCH_SHARED"]
        let url = env.map { URL(fileURLWithPath: $0) }
            ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("reference").path) ? url : nil
    }

    /// The folder of imported models (`ModelLocation`: `$PAIRMATCH_MODELS`, else the documented default);
    /// nil when it holds no encoder.
    public static var models: URL? {
        let url = ModelLocation.folder()
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("encoder.h5").path) ? url : nil
    }

    /// The folder holding dlib's original `.dat` files after `make models` fetched them, or nil.
    public static var dlibSources: URL? {
        let env = ProcessInfo.processInfo.environment
        let url = env["PAIRMATCH_DLIB_DIR"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser
                .appendingPathComponent(".cache/pairmatch/face_recognition_models-0.3.0/face_recognition_models/models")
        return FileManager.default.fileExists(
            atPath: url.appendingPathComponent("dlib_face_recognition_resnet_model_v1.dat").path) ? url : nil
    }

    /// A new empty temporary folder, removed by the caller (or left for the OS).
    public static func temporaryDirectory(_ label: String = "pairmatch-test") -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Prints why a test is skipped (so CI logs say what was not checked) and returns the message.
    @discardableResult
    public static func skipReason(_ what: String) -> String {
        let message = "SKIP: \(what)"
        print(message)
        return message
    }
}
