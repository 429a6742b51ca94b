/// A `.dat` file that does not follow dlib's serialization format (or is cut short). Names the file and the
/// byte offset where reading stopped.
public struct DlibFormatError: Error, CustomStringConvertible, Equatable {
    /// The file's path as given.
    public let file: String
    /// The byte offset (from 0) at which the problem was found.
    public let offset: Int
    /// What was wrong, e.g. "unexpected end of file reading a tensor of 4,704 floats".
    public let reason: String

    public var description: String { "\(file): \(reason) at byte offset \(offset)" }
}
