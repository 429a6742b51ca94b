import CHDF5
import Foundation

extension WeightArchive {
    /// Reads a whole weight file written by `write(to:)`.
    ///
    /// - Parameters:
    ///   - kind: when given, a file of another kind is refused with `.wrongKind`.
    ///   - supportedVersions: a `format_version` outside it is refused with `.unknownFormatVersion`.
    /// - Throws: `.missingFile`, `.unreadable` (a folder, no permission), `.notHDF5` (any other content,
    ///   including an empty file), `.truncated` (an HDF5 file cut short or damaged), and the above.
    ///   Integrity: in a file with root attribute `checksums` = `xxh64`, every tensor's values must match its
    ///   `xxh64` attribute (`.checksumMismatch`, or `.missingAttribute` when absent); a file without it (written
    ///   before checksums) is read unverified and reported once to `UncheckedFiles`. In every file a NaN or ±∞
    ///   in any tensor is refused (`.nonFinite`, naming the tensor and element). The checksum attributes are
    ///   not part of the returned archive (`checksumsVerified` says whether they were checked).
    public static func read(from url: URL, kind: String? = nil, supportedVersions: ClosedRange<Int> = 1...1) throws -> WeightArchive {
        HDF5Library.ensureInitialised()
        let path = url.path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw WeightStoreError.missingFile(path: path) }
        guard !isDir.boolValue else { throw WeightStoreError.unreadable(path: path, reason: "is a directory") }
        guard FileManager.default.isReadableFile(atPath: path) else { throw WeightStoreError.unreadable(path: path, reason: "permission denied") }
        guard H5Fis_hdf5(path) > 0 else { throw WeightStoreError.notHDF5(path: path) }

        let file = H5Handle(H5Fopen(path, pm_h5f_acc_rdonly(), pm_h5p_default()), close: H5Fclose)
        guard file.isValid else { throw WeightStoreError.truncated(path: path) }

        let reader = HDF5Reader(path: path)
        var attributes: [String: [String: AttributeValue]] = [:]
        attributes["/"] = try reader.attributes(of: file.id, object: "/")
        // Kind and version first: a file of the wrong kind is refused before its tensors are read.
        guard case .string(let foundKind)? = attributes["/"]?["kind"] else {
            throw WeightStoreError.missingAttribute(path: path, object: "/", name: "kind")
        }
        guard case .integer(let version)? = attributes["/"]?["format_version"] else {
            throw WeightStoreError.missingAttribute(path: path, object: "/", name: "format_version")
        }
        if let kind, kind != foundKind { throw WeightStoreError.wrongKind(path: path, expected: kind, found: foundKind) }
        guard supportedVersions.contains(Int(version)) else {
            throw WeightStoreError.unknownFormatVersion(path: path, found: Int(version), supported: supportedVersions)
        }
        // Root `checksums` = "xxh64": every tensor carries its digest (HDF5 ≥ 1.8 checksums the metadata itself).
        let checked: Bool
        switch attributes["/"]?[TensorChecksum.rootAttribute] {
        case nil: checked = false
        case .string(TensorChecksum.algorithm)?: checked = true
        case let other?: throw WeightStoreError.unreadable(path: path, reason: "unknown checksum scheme \(other)")
        }
        var tensors: [String: Tensor] = [:]
        for (name, isTensor) in try reader.objects(in: file.id) {
            if isTensor {
                var (tensor, attrs) = try reader.tensor(name, in: file.id)
                let digest = TensorChecksum.digest(tensor.values)
                let recorded = attrs.removeValue(forKey: TensorChecksum.tensorAttribute)
                if checked {
                    guard case .string(let written)? = recorded else {
                        throw WeightStoreError.missingAttribute(path: path, object: name, name: TensorChecksum.tensorAttribute)
                    }
                    let found = TensorChecksum.hex(digest.xxh64)
                    guard written == found else {
                        throw WeightStoreError.checksumMismatch(path: path, tensor: name, expected: written, found: found)
                    }
                }
                if let index = digest.firstNonFinite { throw WeightStoreError.nonFinite(path: path, tensor: name, index: index) }
                tensors[name] = tensor
                if !attrs.isEmpty { attributes[name] = attrs }
            } else {
                let g = H5Handle(H5Gopen2(file.id, name, pm_h5p_default()), close: H5Gclose)
                guard g.isValid else { throw WeightStoreError.truncated(path: path) }
                let attrs = try reader.attributes(of: g.id, object: name)
                if !attrs.isEmpty { attributes[name] = attrs }
            }
        }

        if !checked { UncheckedFiles.report(path: path, kind: foundKind) }
        attributes["/"]?["kind"] = nil
        attributes["/"]?["format_version"] = nil
        attributes["/"]?[TensorChecksum.rootAttribute] = nil
        var archive = WeightArchive(kind: foundKind, formatVersion: Int(version), source: url)
        archive.checksumsVerified = checked
        archive.tensors = tensors
        archive.attributes = attributes
        return archive
    }
}

/// Reads objects, tensors and attributes of an open HDF5 file; every failure is `.truncated` or
/// `.unreadable` naming `path`.
struct HDF5Reader {
    let path: String

    /// Every object below the root: (path, true for a dataset / false for a group), in name order.
    func objects(in file: hid_t) throws -> [(String, Bool)] {
        final class Names { var list: [String] = [] }
        let names = Names()
        let status = H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, { _, name, _, context in
            Unmanaged<Names>.fromOpaque(context!).takeUnretainedValue().list.append(String(cString: name!))
            return 0
        }, Unmanaged.passUnretained(names).toOpaque())
        guard status >= 0 else { throw WeightStoreError.truncated(path: path) }
        return try names.list.compactMap { name in
            switch pm_h5_object_kind(file, name) {
            case 0: return (name, false)
            case 1: return (name, true)
            case 2: return nil
            default: throw WeightStoreError.truncated(path: path)
            }
        }
    }

    /// Dataset `name` as a float32 tensor, with its attributes.
    func tensor(_ name: String, in file: hid_t) throws -> (Tensor, [String: AttributeValue]) {
        let ds = H5Handle(H5Dopen2(file, name, pm_h5p_default()), close: H5Dclose)
        guard ds.isValid else { throw WeightStoreError.truncated(path: path) }
        let type = H5Handle(H5Dget_type(ds.id), close: H5Tclose)
        guard H5Tget_class(type.id) == H5T_FLOAT else {
            throw WeightStoreError.unreadable(path: path, reason: "tensor '\(name)' is not floating point")
        }
        let space = H5Handle(H5Dget_space(ds.id), close: H5Sclose)
        let shape = try extent(space.id, what: "tensor '\(name)'")
        // [count] float32, filled by HDF5 without a zero-fill pass first (it writes every element or fails).
        var status: herr_t = 0
        let values = [Float](unsafeUninitializedCapacity: shape.reduce(1, *)) { buffer, initialised in
            if !buffer.isEmpty {
                status = H5Dread(ds.id, pm_h5t_native_float(), pm_h5s_all(), pm_h5s_all(), pm_h5p_default(), buffer.baseAddress)
            }
            if status < 0 { buffer.initialize(repeating: 0) }   // keep the array valid; it is discarded below
            initialised = buffer.count
        }
        guard status >= 0 else { throw WeightStoreError.truncated(path: path) }
        return (Tensor(shape: shape, values: values), try attributes(of: ds.id, object: name))
    }

    /// The attributes of an open group or dataset.
    func attributes(of object: hid_t, object name: String) throws -> [String: AttributeValue] {
        final class Names { var list: [String] = [] }
        let names = Names()
        var index: hsize_t = 0
        let status = H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, &index, { _, attrName, _, context in
            Unmanaged<Names>.fromOpaque(context!).takeUnretainedValue().list.append(String(cString: attrName!))
            return 0
        }, Unmanaged.passUnretained(names).toOpaque())
        guard status >= 0 else { throw WeightStoreError.truncated(path: path) }
        var result: [String: AttributeValue] = [:]
        for attrName in names.list {
            result[attrName] = try attribute(attrName, of: object, object: name)
        }
        return result
    }

    private func attribute(_ name: String, of object: hid_t, object objectName: String) throws -> AttributeValue {
        let attr = H5Handle(H5Aopen(object, name, pm_h5p_default()), close: H5Aclose)
        guard attr.isValid else { throw WeightStoreError.truncated(path: path) }
        let type = H5Handle(H5Aget_type(attr.id), close: H5Tclose)
        let space = H5Handle(H5Aget_space(attr.id), close: H5Sclose)
        let spaceClass = H5Sget_simple_extent_type(space.id)
        let isScalar = spaceClass == H5S_SCALAR
        let count = spaceClass == H5S_NULL ? 0 : Int(max(0, H5Sget_simple_extent_npoints(space.id)))
        let unreadable = WeightStoreError.unreadable(path: path, reason: "attribute '\(name)' on '\(objectName)' cannot be read")
        switch H5Tget_class(type.id) {
        case H5T_STRING:
            guard isScalar, H5Tis_variable_str(type.id) == 0 else { throw unreadable }
            let size = H5Tget_size(type.id)
            var bytes = [UInt8](repeating: 0, count: size)
            guard H5Aread(attr.id, type.id, &bytes) >= 0 else { throw unreadable }
            while bytes.last == 0 { bytes.removeLast() }
            return .string(String(decoding: bytes, as: UTF8.self))
        case H5T_INTEGER:
            var values = [Int64](repeating: 0, count: max(count, 1))
            if count > 0 { guard H5Aread(attr.id, pm_h5t_native_int64(), &values) >= 0 else { throw unreadable } }
            return isScalar ? .integer(values[0]) : .integers(Array(values.prefix(count)))
        case H5T_FLOAT:
            var values = [Double](repeating: 0, count: max(count, 1))
            if count > 0 { guard H5Aread(attr.id, pm_h5t_native_double(), &values) >= 0 else { throw unreadable } }
            return isScalar ? .float(values[0]) : .floats(Array(values.prefix(count)))
        default:
            throw unreadable
        }
    }

    private func extent(_ space: hid_t, what: String) throws -> [Int] {
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0 else { throw WeightStoreError.truncated(path: path) }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        if rank > 0 { guard H5Sget_simple_extent_dims(space, &dims, nil) >= 0 else { throw WeightStoreError.truncated(path: path) } }
        return dims.map { Int($0) }
    }
}
