import CHDF5

/// One-time HDF5 set-up: opens the library (so the type globals are valid) and silences HDF5's own
/// error-stack printing on stderr; every failure becomes a `WeightStoreError` instead.
enum HDF5Library {
    private static let initialised: Bool = {
        _ = pm_h5_open()
        pm_h5_silence_errors()
        return true
    }()

    static func ensureInitialised() { _ = initialised }
}

/// Closes an HDF5 handle when it goes out of scope.
struct H5Handle: ~Copyable {
    let id: hid_t
    private let close: (hid_t) -> herr_t

    init(_ id: hid_t, close: @escaping (hid_t) -> herr_t) {
        self.id = id
        self.close = close
    }

    var isValid: Bool { id >= 0 }

    deinit { if id >= 0 { _ = close(id) } }
}
