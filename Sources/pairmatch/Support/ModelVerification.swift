import Foundation
import ModelImport
import WeightStore

/// `models info --verify`: whether an imported model file is exactly what its dlib source makes.
///
/// The file's checksums were already recomputed by `WeightArchive.read` (a mismatch fails there, exit 3). With
/// the source `.dat` present, its sha256 is compared with the file's `source_sha256` and the `.dat` is converted
/// again and every tensor compared bit for bit with the file, so even a file without checksums (or one rewritten
/// from damaged weights) is checked. Without the `.dat`, only the checksums are.
enum ModelVerification {
    /// Lines to print (indented by the caller) and one-line failures naming the file.
    struct Result { var lines: [String] = []; var failures: [String] = [] }

    /// Where `make models` unpacks face_recognition_models 0.3.0.
    static func defaultSourceFolder() -> URL {
        FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent(".cache/pairmatch/face_recognition_models-0.3.0/face_recognition_models/models")
    }

    static func verify(_ archive: WeightArchive, as model: ModelFile, sources: URL) -> Result {
        var r = Result()
        let path = archive.fileName
        r.lines.append(archive.checksumsVerified
            ? "checksums: ok (\(archive.tensorPaths.count) tensors, xxh64)"
            : "checksums: none (older file; rewrite with 'pairmatch models import --from DIR')")
        let dat = sources.appendingPathComponent(model.dlibFileName)
        guard FileManager.default.fileExists(atPath: dat.path) else {
            r.lines.append("source: \(dat.path) not found; verified the checksums only")
            return r
        }
        let recorded = (try? archive.string("source_sha256")) ?? "?"
        guard let bytes = FileManager.default.contents(atPath: dat.path) else {
            r.failures.append("\(dat.path): cannot read the source")
            return r
        }
        let sha = SHA256.hex([UInt8](bytes))
        guard sha == recorded else {
            r.lines.append("source: \(dat.path) sha256 \(sha.prefix(12))… ≠ recorded \(recorded.prefix(12))…")
            r.failures.append("\(path): recorded source_sha256 \(recorded) but \(dat.path) has sha256 \(sha)")
            return r
        }
        do {
            let (fresh, _) = try ModelImporter.convert(dat, as: model)
            guard fresh.tensorPaths == archive.tensorPaths else {
                r.failures.append("\(path): its tensors differ from those of \(dat.path) (re-import with 'pairmatch models import --from DIR')")
                return r
            }
            for tensor in fresh.tensorPaths where try fresh.tensor(tensor) != archive.tensor(tensor) {
                r.failures.append("\(path): tensor '\(tensor)' differs from \(dat.path) (re-import with 'pairmatch models import --from DIR')")
                return r
            }
            r.lines.append("source: \(dat.path) sha256 matches; all \(fresh.tensorPaths.count) tensors identical")
        } catch {
            r.failures.append("\(error)")
        }
        return r
    }
}
