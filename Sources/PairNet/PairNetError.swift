/// Why an encoder file or an input was refused. One line each, naming the file (or input) and the cause.
/// (Errors from reading the HDF5 file itself are `WeightStoreError`s, passed through.)
public enum PairNetError: Error, CustomStringConvertible, Equatable {
    /// A `FaceChip` needs 150·150·3 bytes of interleaved RGB.
    case chipSize(found: Int)
    /// The file's network does not match the ResNet written in `ResNetTopology`; `item` names the first
    /// mismatching attribute or layer record (e.g. `layer 000`).
    case topologyMismatch(path: String, item: String, expected: String, found: String)

    public var description: String {
        switch self {
        case .chipSize(let found):
            return "face chip: expected \(FaceChip.byteCount) bytes (150×150 interleaved RGB), found \(found)"
        case .topologyMismatch(let path, let item, let expected, let found):
            return "\(path): not the \(ResNetTopology.networkName) encoder: \(item): expected \(expected), found \(found)"
        }
    }
}
