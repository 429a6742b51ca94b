import WeightStore

/// Why a detector model could not be loaded. `description` is one line naming the file and the cause.
public enum FaceDetectionError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The HDF5 store refused the file (missing, not HDF5, wrong `kind` such as an encoder.h5, …).
    case store(WeightStoreError)
    /// The file is a pairmatch detector file but not the network this code implements
    /// (`what`: which attribute or record differs, `expected` / `found`: the values).
    case wrongNetwork(path: String, what: String, expected: String, found: String)
    /// A value is present with the right type but unusable (`what`: the object, `reason`: why).
    case invalidValue(path: String, what: String, reason: String)

    public var description: String {
        switch self {
        case .store(let e):
            return e.description
        case .wrongNetwork(let path, let what, let expected, let found):
            return "\(path): not dlib's MMOD face detector: \(what) is \(found), expected \(expected)"
        case .invalidValue(let path, let what, let reason):
            return "\(path): \(what): \(reason)"
        }
    }
}
