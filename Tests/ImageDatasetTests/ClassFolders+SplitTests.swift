import Foundation
import ImageDataset
import XCTest

final class ClassFoldersSplitTests: XCTestCase {
    private typealias F = DatasetFixtures

    /// 3 groups × 4 classes × 2 images, built from explicit lists (no files needed).
    private func nested() throws -> ClassFolders {
        var classes: [ImageClass] = []
        for g in ["A", "B", "C"] {
            for c in 1...4 {
                let name = "\(g)/c\(c)"
                classes.append(ImageClass(name: name, files: [URL(fileURLWithPath: "/d/\(name)/1.png"),
                                                              URL(fileURLWithPath: "/d/\(name)/2.png")]))
            }
        }
        return try ClassFolders(classes: classes, rootPath: "/d")
    }

    func testClassSplitIsDisjointCompleteAndDeterministic() throws {
        let all = try nested()
        let (train, val) = try all.splitClasses(validationCount: 5, seed: 7)
        XCTAssertEqual(val.classCount, 5)
        XCTAssertEqual(train.classCount, 7)
        XCTAssertTrue(Set(train.classNames).isDisjoint(with: val.classNames))
        XCTAssertEqual(Set(train.classNames).union(val.classNames), Set(all.classNames))
        XCTAssertEqual(train.classNames, train.classNames.sorted())
        XCTAssertEqual(val.rootPath, "/d")
        // Whole classes move: every validation class keeps all its files.
        for c in val.classes { XCTAssertEqual(c.files, all.classes[all.index(of: c.name)!].files) }
        let again = try all.splitClasses(validationCount: 5, seed: 7)
        XCTAssertEqual(again.train, train)
        XCTAssertEqual(again.validation, val)
        let other = try all.splitClasses(validationCount: 5, seed: 8)
        XCTAssertNotEqual(other.validation.classNames, val.classNames)
    }

    func testClassSplitCounts() throws {
        let all = try nested()
        XCTAssertEqual(F.datasetError { try all.splitClasses(validationCount: 0, seed: 1) }.map { "\($0)" },
                       "class split: cannot hold out 0 of 12 classes (need 1…11, leaving at least one training class)")
        XCTAssertNotNil(F.datasetError { try all.splitClasses(validationCount: 12, seed: 1) })
        XCTAssertEqual(try all.splitClasses(validationCount: 11, seed: 1).train.classCount, 1)
    }

    func testGroupSplitHoldsOutWholeGroups() throws {
        let all = try nested()
        let (train, val) = try all.splitByGroup(validationGroups: ["B"])
        XCTAssertEqual(val.classNames, ["B/c1", "B/c2", "B/c3", "B/c4"])
        XCTAssertEqual(train.groups, ["A", "C"])
        XCTAssertEqual(train.classCount, 8)
        XCTAssertEqual(F.datasetError { try all.splitByGroup(validationGroups: ["B", "Q"]) },
                       .invalidSplit(reason: "unknown group 'Q' (the data has A, B, C)"))
        XCTAssertNotNil(F.datasetError { try all.splitByGroup(validationGroups: ["A", "B", "C"]) })
        XCTAssertNotNil(F.datasetError { try all.splitByGroup(validationGroups: []) })
    }

    func testFlatLayoutGroupsAreClasses() throws {
        let root = try F.dataFolder([("a", 2), ("b", 2), ("c", 2)])
        let (train, val) = try ClassFolders(root: root).splitByGroup(validationGroups: ["b"])
        XCTAssertEqual(train.classNames, ["a", "c"])
        XCTAssertEqual(val.classNames, ["b"])
    }
}
