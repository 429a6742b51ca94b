import CHDF5
import Foundation

extension WeightArchive {
    /// Writes the archive to `url` as HDF5, atomically: a temporary file in the same folder is written,
    /// fsynced and renamed over `url`; on any error the previous file at `url` is left intact.
    public func write(to url: URL) throws {
        try AtomicFile.replace(url) { tmp in try HDF5Writer(archive: self, destination: url).write(to: tmp) }
    }

    /// Writes the file as pairmatch did before checksums (no `checksums`, no `xxh64` attributes): for tests of
    /// reading old files only.
    func writeWithoutChecksums(to url: URL) throws {
        try AtomicFile.replace(url) { tmp in try HDF5Writer(archive: self, destination: url, checksums: false).write(to: tmp) }
    }
}

/// Serialises a `WeightArchive` into a fresh HDF5 file.
///
/// The file is built in memory (HDF5's core driver, no backing store) and its image is then written to the
/// temporary file by `AtomicFile.writeBytes`: HDF5 itself never writes to disk, so a full disk or a file-size
/// limit is an ordinary `WeightStoreError` and cannot leave HDF5 holding a half-flushed file (which made its
/// exit handler crash the process after the error had been reported). Peak memory is the archive plus its
/// file image.
struct HDF5Writer {
    let archive: WeightArchive
    /// The path errors name (the final destination, not the temporary file).
    let destination: URL
    /// Whether to write root attribute `checksums` and each tensor's `xxh64` (always, except for tests of old files).
    var checksums = true

    func write(to tmp: URL) throws {
        let image = try fileImage(name: tmp.path)
        try image.withUnsafeBytes { try AtomicFile.writeBytes($0, to: tmp, naming: destination) }
    }

    /// The bytes of the HDF5 file holding `archive` (`name` only labels the in-memory file).
    func fileImage(name: String) throws -> [UInt8] {
        HDF5Library.ensureInitialised()
        // HDF5 ≥ 1.8 object headers: attributes over 64 KiB (long name lists) go to dense storage.
        let access = H5Handle(H5Pcreate(pm_h5p_file_access()), close: H5Pclose)
        _ = H5Pset_libver_bounds(access.id, H5F_LIBVER_V18, H5F_LIBVER_V110)
        // Grow the in-memory file in steps of the tensors' size (+ 1 MiB for metadata): usually one allocation.
        let payload = archive.tensors.values.reduce(0) { $0 + 4 * $1.count }
        guard H5Pset_fapl_core(access.id, payload + (1 << 20), false) >= 0 else { throw fail("cannot set up the in-memory file") }
        let file = H5Handle(H5Fcreate(name, pm_h5f_acc_trunc(), pm_h5p_default(), access.id), close: H5Fclose)
        guard file.isValid else { throw fail("cannot create HDF5 file") }

        var rootAttributes = archive.attributes["/"] ?? [:]
        rootAttributes["kind"] = .string(archive.kind)
        rootAttributes["format_version"] = .integer(Int64(archive.formatVersion))
        if checksums { rootAttributes[TensorChecksum.rootAttribute] = .string(TensorChecksum.algorithm) }   // every tensor has `xxh64`
        try writeAttributes(rootAttributes, on: file.id, object: "/")

        for group in archive.groupPaths {   // sorted: parents precede children
            let g = H5Handle(H5Gcreate2(file.id, group, pm_h5p_default(), pm_h5p_default(), pm_h5p_default()), close: H5Gclose)
            guard g.isValid else { throw fail("cannot create group '\(group)'") }
            try writeAttributes(archive.attributes[group] ?? [:], on: g.id, object: group)
        }
        for path in archive.tensorPaths {
            try writeTensor(archive.tensors[path]!, at: path, in: file.id)
        }
        guard H5Fflush(file.id, H5F_SCOPE_GLOBAL) >= 0 else { throw fail("flush failed") }
        let size = H5Fget_file_image(file.id, nil, 0)
        guard size > 0 else { throw fail("cannot read back the file image") }
        var copied = 0
        var image = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in   // no zero-fill pass first
            copied = H5Fget_file_image(file.id, buffer.baseAddress, size)
            count = copied == size ? size : 0
        }
        guard copied == size else { throw fail("cannot read back the file image") }
        HDF5FileImage.repairSuperblockChecksum(&image)
        return image
    }

    private func writeTensor(_ tensor: Tensor, at path: String, in file: hid_t) throws {
        let dims = tensor.shape.map { hsize_t($0) }
        let space = H5Handle(dims.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(dims.count), dims, nil), close: H5Sclose)
        guard space.isValid else { throw fail("cannot create dataspace for '\(path)'") }
        let ds = H5Handle(H5Dcreate2(file, path, pm_h5t_native_float(), space.id, pm_h5p_default(), pm_h5p_default(), pm_h5p_default()), close: H5Dclose)
        guard ds.isValid else { throw fail("cannot create tensor '\(path)'") }
        if tensor.count > 0 {
            let status = tensor.values.withUnsafeBufferPointer {
                H5Dwrite(ds.id, pm_h5t_native_float(), pm_h5s_all(), pm_h5s_all(), pm_h5p_default(), $0.baseAddress)
            }
            guard status >= 0 else { throw fail("cannot write tensor '\(path)'") }
        }
        var attributes = archive.attributes[path] ?? [:]
        if checksums {
            attributes[TensorChecksum.tensorAttribute] = .string(TensorChecksum.hex(TensorChecksum.digest(tensor.values).xxh64))
        }
        try writeAttributes(attributes, on: ds.id, object: path)
    }

    private func writeAttributes(_ attributes: [String: AttributeValue], on object: hid_t, object name: String) throws {
        for key in attributes.keys.sorted() {
            try writeAttribute(key, attributes[key]!, on: object, object: name)
        }
    }

    private func writeAttribute(_ name: String, _ value: AttributeValue, on object: hid_t, object objectName: String) throws {
        let ok: Bool
        switch value {
        case .string(let s):
            var bytes = Array(s.utf8)
            if bytes.isEmpty { bytes = [0] }
            let type = H5Handle(H5Tcopy(pm_h5t_c_s1()), close: H5Tclose)
            _ = H5Tset_size(type.id, bytes.count)
            _ = H5Tset_strpad(type.id, H5T_STR_NULLPAD)
            _ = H5Tset_cset(type.id, H5T_CSET_UTF8)
            ok = put(name, on: object, type: type.id, count: nil) { a in H5Awrite(a, type.id, bytes) }
        case .integer(let v):
            var x = v
            ok = put(name, on: object, type: pm_h5t_native_int64(), count: nil) { a in H5Awrite(a, pm_h5t_native_int64(), &x) }
        case .float(let v):
            var x = v
            ok = put(name, on: object, type: pm_h5t_native_double(), count: nil) { a in H5Awrite(a, pm_h5t_native_double(), &x) }
        case .integers(let v):
            ok = put(name, on: object, type: pm_h5t_native_int64(), count: v.count) { a in
                v.isEmpty ? 0 : H5Awrite(a, pm_h5t_native_int64(), v) }
        case .floats(let v):
            ok = put(name, on: object, type: pm_h5t_native_double(), count: v.count) { a in
                v.isEmpty ? 0 : H5Awrite(a, pm_h5t_native_double(), v) }
        }
        guard ok else { throw fail("cannot write attribute '\(name)' on '\(objectName)'") }
    }

    /// Creates attribute `name` (scalar when `count` is nil, else a 1-D array) and fills it with `body`.
    private func put(_ name: String, on object: hid_t, type: hid_t, count: Int?, _ body: (hid_t) -> herr_t) -> Bool {
        let space: H5Handle
        if let count {
            var dim = hsize_t(count)
            space = H5Handle(count == 0 ? H5Screate(H5S_NULL) : H5Screate_simple(1, &dim, nil), close: H5Sclose)
        } else {
            space = H5Handle(H5Screate(H5S_SCALAR), close: H5Sclose)
        }
        guard space.isValid else { return false }
        let attr = H5Handle(H5Acreate2(object, name, type, space.id, pm_h5p_default(), pm_h5p_default()), close: H5Aclose)
        guard attr.isValid else { return false }
        return body(attr.id) >= 0
    }

    private func fail(_ reason: String) -> WeightStoreError {
        .writeFailed(path: destination.path, reason: reason)
    }
}
