import Foundation
import ImageDataset
import ImageInput
import XCTest

final class ClassFoldersScanTests: XCTestCase {
    private typealias F = DatasetFixtures

    func testFlatLayoutSortedClassesAndFilesHiddenIgnored() throws {
        let root = try F.dataFolder([("zeta", 3), ("alpha", 2), ("mid", 2)])
        try F.writeText("x", "alpha/.DS_Store", in: root)
        try F.writeText("x", ".hidden/readme", in: root)
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".git/objects"), withIntermediateDirectories: true)
        let folders = try ClassFolders(root: root, minimumImagesPerClass: 2)
        XCTAssertEqual(folders.classNames, ["alpha", "mid", "zeta"])
        XCTAssertEqual(folders.imageCount, 7)
        XCTAssertEqual(folders.classes[2].files.map(\.lastPathComponent), ["img00.png", "img01.png", "img02.png"])
        XCTAssertEqual(folders.groups, ["alpha", "mid", "zeta"])
        XCTAssertEqual(folders.rootPath, root.relativePath)
        XCTAssertEqual(folders.index(of: "mid"), 1)
    }

    func testNestedLayoutClassesAreLeafFoldersNamedByRelativePath() throws {
        let root = try F.dataFolder([("Greek/character02", 2), ("Greek/character01", 3), ("Latin/character01", 2)])
        try F.writeText("docs", "README.md", in: root)          // documentation at the top: ignored
        try F.writeText("docs", "Greek/notes.txt", in: root)    // and inside a group: ignored
        let folders = try ClassFolders(root: root)
        XCTAssertEqual(folders.classNames, ["Greek/character01", "Greek/character02", "Latin/character01"])
        XCTAssertEqual(folders.classes.map(\.group), ["Greek", "Greek", "Latin"])
        XCTAssertEqual(folders.groups, ["Greek", "Latin"])
        XCTAssertEqual(folders.imageCount, 7)
    }

    func testMissingAndNotAFolder() throws {
        let root = F.folder()
        let missing = root.appendingPathComponent("nope")
        XCTAssertEqual(F.datasetError { try ClassFolders(root: missing) }, .missingFolder(path: missing.relativePath))
        try F.writeText("x", "file.txt", in: root)
        let file = root.appendingPathComponent("file.txt")
        XCTAssertEqual(F.datasetError { try ClassFolders(root: file) }, .notAFolder(path: file.relativePath))
    }

    func testNoClassFolders() throws {
        let root = F.folder()
        XCTAssertEqual(F.datasetError { try ClassFolders(root: root) }, .noClassFolders(path: root.relativePath))
        try F.writeText("docs", "README", in: root)
        XCTAssertEqual(F.datasetError { try ClassFolders(root: root) }, .noClassFolders(path: root.relativePath))
    }

    func testEmptyClassFolder() throws {
        let root = try F.dataFolder([("a", 2)])
        try FileManager.default.createDirectory(at: root.appendingPathComponent("b"), withIntermediateDirectories: true)
        try F.writeText("x", "b/.hidden", in: root)   // hidden files do not count as images
        let error = F.datasetError { try ClassFolders(root: root) }
        XCTAssertEqual(error, .emptyClass(path: root.relativePath + "/b", name: "b"))
        XCTAssertEqual(error?.description, "\(root.relativePath)/b: class 'b' holds no images")
    }

    func testOneImageUnderTheMinimumOfTwo() throws {
        let root = try F.dataFolder([("a", 2), ("x", 1)])
        let error = F.datasetError { try ClassFolders(root: root, minimumImagesPerClass: 2) }
        XCTAssertEqual(error, .tooFewImages(path: root.relativePath + "/x", name: "x", count: 1, minimum: 2))
        XCTAssertEqual(error?.description,
                       "\(root.relativePath)/x: class 'x' has 1 image; the triplet loss needs at least 2 per class")
        XCTAssertEqual(try ClassFolders(root: root, minimumImagesPerClass: 1).imageCount, 3)
    }

    func testNonImageFileInAClassFolder() throws {
        let root = try F.dataFolder([("a", 2)])
        try F.writeText("not an image", "a/notes.txt", in: root)
        let path = root.relativePath + "/a/notes.txt"
        let error = F.datasetError { try ClassFolders(root: root) }
        XCTAssertEqual(error, .notAnImage(file: path, cause: .notAnImage(file: path)))
        XCTAssertTrue(error?.description.hasPrefix(path + ": not an image") ?? false, error?.description ?? "")
    }

    func testUnsupportedAndEmptyFilesAreNotImages() throws {
        let root = try F.dataFolder([("a", 2)])
        try F.writeText("GIF89a....", "a/x.gif", in: root)
        let gif = root.relativePath + "/a/x.gif"
        XCTAssertEqual(F.datasetError { try ClassFolders(root: root) },
                       .notAnImage(file: gif, cause: .unsupportedFormat(file: gif, what: "GIF")))
        try FileManager.default.removeItem(at: root.appendingPathComponent("a/x.gif"))
        try F.writeText("", "a/zero.png", in: root)
        let zero = root.relativePath + "/a/zero.png"
        XCTAssertEqual(F.datasetError { try ClassFolders(root: root) }, .notAnImage(file: zero, cause: .empty(file: zero)))
    }

    func testImageFilesAtTheTopLevelAreAnError() throws {
        let root = try F.dataFolder([("a", 2)])
        try RGBImage(width: 2, height: 2).write(png: root.appendingPathComponent("stray.png"))
        try F.writeText("docs", "LICENSE", in: root)   // not named: only images are a mistake
        let error = F.datasetError { try ClassFolders(root: root) }
        XCTAssertEqual(error, .imagesAtTopLevel(path: root.relativePath, files: ["stray.png"]))
        XCTAssertTrue(error?.description.contains("did you point at a single class folder?") ?? false)
        // Pointing at one class folder itself says the same.
        let classFolder = root.appendingPathComponent("a")
        XCTAssertEqual(F.datasetError { try ClassFolders(root: classFolder) },
                       .imagesAtTopLevel(path: classFolder.relativePath, files: ["img00.png", "img01.png"]))
    }

    func testImagesBesideSubfolders() throws {
        let root = try F.dataFolder([("G/c1", 2), ("G/c2", 2)])
        try RGBImage(width: 2, height: 2).write(png: root.appendingPathComponent("G/loose.png"))
        XCTAssertEqual(F.datasetError { try ClassFolders(root: root) },
                       .imagesBesideSubfolders(path: root.relativePath + "/G", files: ["loose.png"]))
    }

    func testExplicitClassLists() throws {
        let u = { (n: String) in URL(fileURLWithPath: "/d/" + n) }
        let folders = try ClassFolders(classes: [ImageClass(name: "b", files: [u("1"), u("2")]),
                                                 ImageClass(name: "a", files: [u("3"), u("4"), u("5")])])
        XCTAssertEqual(folders.classNames, ["a", "b"])
        XCTAssertEqual(folders.rootPath, "")
        XCTAssertEqual(F.datasetError { try ClassFolders(classes: [ImageClass(name: "a", files: [u("1")])]) },
                       .tooFewImages(path: "a", name: "a", count: 1, minimum: 2))
        XCTAssertEqual(F.datasetError { try ClassFolders(classes: []) }, .noClassFolders(path: "class list"))
    }

    func testOmniglotLayout() throws {
        let root = try F.omniglot()
        let folders = try ClassFolders(root: root)
        XCTAssertEqual(folders.groups.count, 8)
        XCTAssertEqual(folders.classCount, 242)
        XCTAssertEqual(folders.imageCount, 4840)
        XCTAssertTrue(folders.classes.allSatisfy { $0.files.count == 20 })
        XCTAssertEqual(folders.classNames.first, "Balinese/character01")
    }
}
