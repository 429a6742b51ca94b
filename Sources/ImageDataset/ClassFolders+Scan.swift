import Foundation
import ImageInput
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ClassFolders {
    /// Scans the data folder `root`: one sub-folder per class, images inside in any format ImageInput reads
    /// (JPEG, PNG of any bit depth, PGM/PPM), detected by signature, never by extension.
    ///
    /// Layout rules:
    /// - A class is a leaf folder (one without sub-folders); its name is its path relative to `root`, so
    ///   classes may sit one or more levels down (`Greek/character07` for Omniglot's alphabet/character layout).
    /// - A folder with sub-folders is a group: its image files are an error (`.imagesBesideSubfolders`, or
    ///   `.imagesAtTopLevel` for `root` itself: the user probably pointed at one class); its other files
    ///   (README, LICENSE) are ignored.
    /// - Inside a class folder every file must be an image: `.notAnImage` otherwise.
    /// - Hidden entries (names starting with ".") are ignored everywhere. Symbolic links are followed.
    /// - Classes are sorted by name, files by file name.
    ///
    /// Every file's leading bytes are read (to check its signature) but nothing is decoded: corrupt image
    /// data surfaces as `.unreadableImage` when `LoadedImages` decodes it, still before training.
    /// - Parameter minimumImagesPerClass: ≥ 1; the triplet loss needs 2.
    /// - Throws: `DatasetError` naming the path: `.missingFolder`, `.notAFolder`, `.unreadableFolder`,
    ///   `.noClassFolders`, `.imagesAtTopLevel`, `.imagesBesideSubfolders`, `.emptyClass`, `.tooFewImages`,
    ///   `.notAnImage`, `.unreadableImage` (a file that cannot be opened).
    public init(root: URL, minimumImagesPerClass: Int = 2) throws(DatasetError) {
        let rootPath = root.relativePath
        switch FolderScan.kind(of: root.path) {
        case .missing: throw .missingFolder(path: rootPath)
        case .file: throw .notAFolder(path: rootPath)
        case .folder: break
        }
        var classes: [ImageClass] = []
        try FolderScan.walk(folder: root, display: rootPath, name: "", into: &classes)
        try self.init(classes: classes, minimumImagesPerClass: minimumImagesPerClass, rootPath: rootPath)
    }
}

/// The folder walk behind `ClassFolders.init(root:)` (POSIX listing so errors carry the system's message).
enum FolderScan {
    enum Kind { case missing, file, folder }

    /// What `path` is, following symbolic links.
    static func kind(of path: String) -> Kind {
        var st = stat()
        guard stat(path, &st) == 0 else { return .missing }
        return (st.st_mode & S_IFMT) == S_IFDIR ? .folder : .file
    }

    /// Adds the classes under `folder` (displayed as `display`, class-name prefix `name`, "" for the root).
    static func walk(folder: URL, display: String, name: String,
                     into classes: inout [ImageClass]) throws(DatasetError) {
        let entries = try list(folder.path, display: display)
        var subfolders: [String] = [], files: [String] = []
        for entry in entries {
            switch kind(of: folder.appendingPathComponent(entry).path) {
            case .folder: subfolders.append(entry)
            case .file: files.append(entry)
            case .missing: break   // a dangling link or a file removed meanwhile
            }
        }
        let isRoot = name.isEmpty
        if !subfolders.isEmpty || isRoot {
            // A group: image files here are a mistake, other files are documentation.
            var images: [String] = []
            for file in files {
                let url = folder.appendingPathComponent(file)
                if case .image = try signature(of: url, display: display + "/" + file) { images.append(file) }
            }
            if !images.isEmpty {
                throw isRoot ? .imagesAtTopLevel(path: display, files: images)
                             : .imagesBesideSubfolders(path: display, files: images)
            }
            if isRoot && subfolders.isEmpty { throw .noClassFolders(path: display) }
            for sub in subfolders {
                try walk(folder: folder.appendingPathComponent(sub, isDirectory: true), display: display + "/" + sub,
                         name: isRoot ? sub : name + "/" + sub, into: &classes)
            }
            return
        }
        // A class: every file must be an image.
        var urls: [URL] = []
        for file in files {
            let url = folder.appendingPathComponent(file)
            let shown = display + "/" + file
            if case .other(let cause) = try signature(of: url, display: shown) {
                throw .notAnImage(file: shown, cause: cause)
            }
            urls.append(url)
        }
        if urls.isEmpty { throw .emptyClass(path: display, name: name) }
        classes.append(ImageClass(name: name, files: urls))
    }

    /// Non-hidden entry names of `path`, sorted.
    static func list(_ path: String, display: String) throws(DatasetError) -> [String] {
        guard let dir = opendir(path) else {
            throw .unreadableFolder(path: display, reason: String(cString: strerror(errno)))
        }
        defer { closedir(dir) }
        var names: [String] = []
        errno = 0
        while let entry = readdir(dir) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !entryName.hasPrefix(".") { names.append(entryName) }
        }
        if errno != 0 { throw .unreadableFolder(path: display, reason: String(cString: strerror(errno))) }
        return names.sorted()
    }

    enum Signature { case image(ImageFormat), other(ImageInputError) }

    /// The file's format by its leading bytes, or why it is not an image (ImageInput's own classification:
    /// `.notAnImage`, `.unsupportedFormat`, `.empty`).
    /// - Throws: `.unreadableImage` when the file cannot be opened or read.
    static func signature(of url: URL, display: String) throws(DatasetError) -> Signature {
        // A FIFO, device or socket is not opened (a FIFO without a writer would block): `BoundedFile`'s rule.
        var st = stat()
        if stat(url.path, &st) == 0, let kind = BoundedFile.nonRegularKind(st.st_mode) {
            return .other(.notRegularFile(file: display, kind: kind))
        }
        let fd = open(url.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw .unreadableImage(file: display, cause: .unreadable(file: display, reason: String(cString: strerror(errno))))
        }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 32)   // [32] leading bytes
        var filled = 0
        while filled < head.count {
            let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadableImage(file: display, cause: .unreadable(file: display, reason: String(cString: strerror(errno))))
            }
            if n == 0 { break }
            filled += n
        }
        let data = Data(head[0..<filled])
        if let format = ImageDecoder.format(of: data) { return .image(format) }
        do {
            _ = try ImageDecoder.decode(data: data, name: display)
            return .other(.notAnImage(file: display))   // not reached: an unknown signature never decodes
        } catch let error as ImageInputError {
            return .other(error)
        } catch {
            return .other(.notAnImage(file: display))
        }
    }
}
