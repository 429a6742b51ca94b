import ImageInput

/// Why a class-folder data set cannot be used, found before any training starts. Every case names the path
/// (as the caller spelled the data folder, joined with the relative path inside it) and `description` is one
/// line, e.g. `data/x: class 'x' has 1 image; the triplet loss needs at least 2 per class`.
public enum DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Nothing exists at the data folder's path.
    case missingFolder(path: String)
    /// The data folder's path names a file, not a folder.
    case notAFolder(path: String)
    /// A folder cannot be listed (`reason`: the system's message).
    case unreadableFolder(path: String, reason: String)
    /// The data folder holds no (non-hidden) sub-folders.
    case noClassFolders(path: String)
    /// The data folder itself holds image files (`files`: their names, sorted): it is probably one class
    /// folder rather than the folder of class folders.
    case imagesAtTopLevel(path: String, files: [String])
    /// A folder holds both sub-folders and image files, so it is neither a group of classes nor one class.
    case imagesBesideSubfolders(path: String, files: [String])
    /// A class folder (a folder without sub-folders) holds no image files.
    case emptyClass(path: String, name: String)
    /// A class holds `count` images, fewer than `minimum` (the triplet loss needs two of a class).
    case tooFewImages(path: String, name: String, count: Int, minimum: Int)
    /// A file in a class folder is not an image ImageInput reads, by its signature (`cause`: ImageInput's
    /// `.notAnImage`, `.unsupportedFormat` or `.empty`).
    case notAnImage(file: String, cause: ImageInputError)
    /// An image file could not be read or decoded (`cause`: ImageInput's error, which names the file).
    case unreadableImage(file: String, cause: ImageInputError)
    /// A split or selection that leaves a side without classes, or names classes or groups that do not exist.
    case invalidSplit(reason: String)
    /// `--rotations-as-classes` needs square inputs (rotating by 90° would change the shape).
    case rotationsNeedSquareInput(width: Int, height: Int)
    /// A sampler or episode set needs `needed` classes (with at least `imagesEach` images each) and the
    /// data offers `available` (`what`: who needs them, e.g. "P×K batches with P = 32").
    case tooFewClasses(what: String, needed: Int, available: Int, imagesEach: Int)
    /// A sampler or pair-set parameter out of its range (`reason` says which and why).
    case invalidParameter(reason: String)

    public var description: String {
        switch self {
        case .missingFolder(let p): return "\(p): no such folder (expected a folder holding one sub-folder per class)"
        case .notAFolder(let p): return "\(p): is a file, not a folder (expected a folder holding one sub-folder per class)"
        case .unreadableFolder(let p, let r): return "\(p): cannot list folder (\(r))"
        case .noClassFolders(let p): return "\(p): holds no class folders (expected one sub-folder of images per class)"
        case .imagesAtTopLevel(let p, let f):
            return "\(p): holds image files at its top level (\(Self.list(f))); the data folder must hold one "
                + "sub-folder per class (did you point at a single class folder?)"
        case .imagesBesideSubfolders(let p, let f):
            return "\(p): holds image files (\(Self.list(f))) beside sub-folders; a folder is either one class "
                + "(images only) or a group of class folders"
        case .emptyClass(let p, let n): return "\(p): class '\(n)' holds no images"
        case .tooFewImages(let p, let n, let c, let m):
            return "\(p): class '\(n)' has \(c) image\(c == 1 ? "" : "s"); the triplet loss needs at least \(m) per class"
        case .notAnImage(_, let cause): return "\(cause); class folders may hold only images"
        case .unreadableImage(_, let cause): return "\(cause)"
        case .invalidSplit(let r): return "class split: \(r)"
        case .rotationsNeedSquareInput(let w, let h):
            return "rotations as classes need a square input, the input spec is \(w)×\(h)"
        case .tooFewClasses(let what, let n, let a, let k):
            return "\(what) need \(n) classes with at least \(k) image\(k == 1 ? "" : "s") each; the data has \(a)"
        case .invalidParameter(let r): return r
        }
    }

    /// At most three names, then "… and N more".
    private static func list(_ names: [String]) -> String {
        let shown = names.prefix(3).joined(separator: ", ")
        return names.count > 3 ? "\(shown) and \(names.count - 3) more" : shown
    }
}
