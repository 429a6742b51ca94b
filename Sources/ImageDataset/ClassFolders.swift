import Foundation

/// One class of a data set: its name and its image files.
public struct ImageClass: Sendable, Equatable, Hashable {
    /// The class folder's path relative to the data folder, components joined by "/" (`"x"` for a flat
    /// layout, `"Greek/character07"` for a nested one). Unique within a `ClassFolders`.
    public var name: String
    /// The image files, sorted by file name. `relativePath` of each is how errors name it.
    public var files: [URL]

    public init(name: String, files: [URL]) {
        self.name = name
        self.files = files
    }

    /// The first path component of `name`: the alphabet in `"Greek/character07"`, the class itself when the
    /// layout is flat. `ClassFolders.splitByGroup` holds out whole groups.
    public var group: String {
        name.split(separator: "/", maxSplits: 1).first.map(String.init) ?? name
    }
}

/// A labelled image data set as class folders: the classes sorted by name, each with its sorted image files.
/// The class index of a class is its position in `classes`.
///
/// Built by scanning a data folder (`init(root:minimumImagesPerClass:)`, see `ClassFolders+Scan.swift`) or
/// from explicit lists (`init(classes:minimumImagesPerClass:)`, for tests and splits). Either way the same
/// rules hold: at least one class, class names unique, every class holds at least `minimumImagesPerClass`
/// (≥ 1) images. Nothing is decoded here; `LoadedImages` decodes.
public struct ClassFolders: Sendable, Equatable {
    /// Sorted by `name` (String order); class index = position.
    public let classes: [ImageClass]
    /// The data folder as the caller gave it, `relativePath` spelling; "" for explicit lists.
    public let rootPath: String
    /// The minimum the classes were checked against.
    public let minimumImagesPerClass: Int

    /// Wraps explicit classes, sorting them by name (their files are kept in the order given).
    /// - Throws: `.noClassFolders` for an empty list, `.emptyClass` / `.tooFewImages` for a class below
    ///   `minimumImagesPerClass` (errors name the class by its name).
    /// - Precondition: class names unique, `minimumImagesPerClass ≥ 1`.
    public init(classes: [ImageClass], minimumImagesPerClass: Int = 2,
                rootPath: String = "") throws(DatasetError) {
        precondition(minimumImagesPerClass >= 1, "ClassFolders: minimumImagesPerClass must be ≥ 1")
        precondition(Set(classes.map(\.name)).count == classes.count, "ClassFolders: class names must be unique")
        guard !classes.isEmpty else { throw .noClassFolders(path: rootPath.isEmpty ? "class list" : rootPath) }
        let sorted = classes.sorted { $0.name < $1.name }
        for c in sorted {
            let path = rootPath.isEmpty ? c.name : rootPath + "/" + c.name
            if c.files.isEmpty { throw .emptyClass(path: path, name: c.name) }
            if c.files.count < minimumImagesPerClass {
                throw .tooFewImages(path: path, name: c.name, count: c.files.count, minimum: minimumImagesPerClass)
            }
        }
        self.classes = sorted
        self.rootPath = rootPath
        self.minimumImagesPerClass = minimumImagesPerClass
    }

    /// Already validated and sorted (splits of a valid set).
    init(validated classes: [ImageClass], rootPath: String, minimumImagesPerClass: Int) {
        self.classes = classes.sorted { $0.name < $1.name }
        self.rootPath = rootPath
        self.minimumImagesPerClass = minimumImagesPerClass
    }

    /// `[classCount]` class names, sorted; index = class index.
    public var classNames: [String] { classes.map(\.name) }

    /// Number of classes (≥ 1).
    public var classCount: Int { classes.count }

    /// Number of images over all classes.
    public var imageCount: Int { classes.reduce(0) { $0 + $1.files.count } }

    /// The distinct top-level groups (`ImageClass.group`), sorted.
    public var groups: [String] { Array(Set(classes.map(\.group))).sorted() }

    /// The class index of `name`, or nil.
    public func index(of name: String) -> Int? { classes.firstIndex { $0.name == name } }
}
