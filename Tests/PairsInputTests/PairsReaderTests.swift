import Foundation
@testable import PairsInput
import TestSupport
import XCTest

final class PairsReaderTests: XCTestCase {
    private var folder: URL!
    override func setUp() { folder = TestPaths.temporaryDirectory("pairs") }
    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    private func file(_ name: String, _ text: String) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    func testCSVWithHeaderQuotingAndRelativePaths() throws {
        let url = try file("p.csv", "a,b,label\nx/1.jpg,\"y, the second.jpg\",1\n\"q\"\"uote.jpg\",/abs/z.png,0\n\nc.jpg,d.jpg\n")
        let pairs = try PairsReader.read(url)
        XCTAssertEqual(pairs.format, .csv)
        XCTAssertEqual(pairs.header, ["a", "b", "label"])
        XCTAssertEqual(pairs.rows.count, 3)
        XCTAssertEqual(pairs.rows[0].a, folder.appendingPathComponent("x/1.jpg"))
        XCTAssertEqual(pairs.rows[0].b, folder.appendingPathComponent("y, the second.jpg"))
        XCTAssertEqual(pairs.rows[0].label, true)
        XCTAssertEqual(pairs.rows[1].fields, ["q\"uote.jpg", "/abs/z.png", "0"])
        XCTAssertEqual(pairs.rows[1].b, URL(fileURLWithPath: "/abs/z.png"))
        XCTAssertEqual(pairs.rows[1].label, false)
        XCTAssertNil(pairs.rows[2].label)
        XCTAssertTrue(pairs.rows.allSatisfy { $0.problem == nil })
        XCTAssertEqual(pairs.distinctImages.count, 6)
    }

    func testImagesRootOverridesTheFilesFolder() throws {
        let url = try file("p.csv", "a.jpg,b.jpg,1\n")
        let root = URL(fileURLWithPath: "/data/faces")
        XCTAssertEqual(try PairsReader.read(url, imagesRoot: root).rows[0].a, URL(fileURLWithPath: "/data/faces/a.jpg"))
        XCTAssertNil(try PairsReader.read(url).header)
    }

    func testBadRowsAreKeptWithTheirProblem() throws {
        let url = try file("p.csv", "a.jpg,b.jpg,1\nonly-one.jpg\na.jpg,c.jpg,maybe\n,b.jpg,1\n")
        let rows = try PairsReader.read(url).rows
        XCTAssertEqual(rows.count, 4)
        XCTAssertNil(rows[0].problem)
        XCTAssertEqual(rows[1].problem, "row 2: too few columns (need a,b[,label], found 1)")
        XCTAssertEqual(rows[2].problem, "row 3: label 'maybe' is not 0 or 1")
        XCTAssertEqual(rows[3].problem, "row 4: too few columns (need a,b[,label], found 3)")
    }

    func testWholeFileProblems() throws {
        XCTAssertThrowsError(try PairsReader.read(folder.appendingPathComponent("none.csv"))) {
            XCTAssertEqual($0 as? PairsFileError, .missing(path: self.folder.appendingPathComponent("none.csv").path))
        }
        XCTAssertThrowsError(try PairsReader.read(folder)) { XCTAssertEqual($0 as? PairsFileError, .unreadable(path: self.folder.path, reason: "is a directory")) }
        let empty = try file("e.csv", "\n  \n")
        XCTAssertThrowsError(try PairsReader.read(empty)) { XCTAssertEqual($0 as? PairsFileError, .empty(path: empty.path)) }
        let quote = try file("q.csv", "a.jpg,b.jpg,1\n\"open.jpg,b.jpg,0\nc.jpg,d.jpg,1\n")
        XCTAssertThrowsError(try PairsReader.read(quote)) { XCTAssertEqual($0 as? PairsFileError, .unterminatedQuote(path: quote.path, line: 2)) }
        let latin1 = folder.appendingPathComponent("l.csv")
        try Data([0x61, 0xE9, 0x2E, 0x6A, 0x70, 0x67, 0x2C, 0x62, 0x0A]).write(to: latin1)
        XCTAssertThrowsError(try PairsReader.read(latin1)) { XCTAssertEqual($0 as? PairsFileError, .notUTF8(path: latin1.path)) }
        let headerOnly = try file("h.csv", "a,b,label\n")
        XCTAssertThrowsError(try PairsReader.read(headerOnly)) { XCTAssertEqual($0 as? PairsFileError, .empty(path: headerOnly.path)) }
    }

    func testQuotedNewlinesAreNotUnterminated() {
        XCTAssertNil(PairsReader.unterminatedQuoteLine("\"a\nb.jpg\",c.jpg\n\"x\"\"y\",z\n"))
        XCTAssertEqual(PairsReader.unterminatedQuoteLine("a,b\nc,\"d\n"), 2)
        XCTAssertNil(PairsReader.unterminatedQuoteLine("it's,a\"b,c\n"))   // a quote inside an unquoted field
    }

    func testLFWPairsList() throws {
        let url = try file("pairs.txt", "2\nAbel_Pacheco\t1\t4\nAbdullah_Gul\t13\tAbdullah_al-Attiyah\t1\nbroken line\n")
        let pairs = try PairsReader.read(url, imagesRoot: URL(fileURLWithPath: "/lfw"))
        XCTAssertEqual(pairs.format, .lfw)
        XCTAssertEqual(pairs.header, ["a", "b", "label"])
        XCTAssertEqual(pairs.rows[0].a?.path, "/lfw/Abel_Pacheco/Abel_Pacheco_0001.jpg")
        XCTAssertEqual(pairs.rows[0].b?.path, "/lfw/Abel_Pacheco/Abel_Pacheco_0004.jpg")
        XCTAssertEqual(pairs.rows[0].label, true)
        XCTAssertEqual(pairs.rows[1].fields, ["Abdullah_Gul/Abdullah_Gul_0013.jpg", "Abdullah_al-Attiyah/Abdullah_al-Attiyah_0001.jpg", "0"])
        XCTAssertEqual(pairs.rows[1].label, false)
        XCTAssertNotNil(pairs.rows[2].problem)
    }

    func testSharedLFWDevTrain() throws {
        guard let shared = TestPaths.shared else { throw XCTSkip(TestPaths.skipReason("../shared absent")) }
        let dir = shared.appendingPathComponent("data/lfw-view1")
        let train = try PairsReader.read(dir.appendingPathComponent("pairsDevTrain.txt"))
        XCTAssertEqual(train.rows.count, 2200)
        XCTAssertEqual(train.rows.filter { $0.label == true }.count, 1100)
        XCTAssertTrue(train.rows.allSatisfy { $0.problem == nil })
        XCTAssertTrue(FileManager.default.fileExists(atPath: train.rows[0].a!.path))
        let test = try PairsReader.read(dir.appendingPathComponent("pairsDevTest.txt"))
        XCTAssertEqual(test.rows.count, 1000)
        let all = Set(train.distinctImages).union(test.distinctImages)
        XCTAssertEqual(all.count, 4992)   // View 1 ships exactly the images its pairs use
        XCTAssertTrue(all.allSatisfy { FileManager.default.fileExists(atPath: $0.path) })
    }
}
