import ImageDataset
import XCTest

final class ValidationPairsTests: XCTestCase {
    /// 10 classes × 4 images: 60 same-class pairs exist, 720 different-class pairs.
    private let labels: [Int] = (0..<10).flatMap { Array(repeating: $0, count: 4) }

    private func check(_ pairs: ValidationPairs, perKind n: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(pairs.count, 2 * n, file: file, line: line)
        XCTAssertEqual(pairs.same, Array(repeating: true, count: n) + Array(repeating: false, count: n), file: file, line: line)
        var seen = Set<[Int]>()
        for i in 0..<pairs.count {
            let (a, b) = (pairs.first[i], pairs.second[i])
            XCTAssertNotEqual(a, b, file: file, line: line)
            XCTAssertEqual(labels[a] == labels[b], pairs.same[i], file: file, line: line)
            XCTAssertTrue(seen.insert([min(a, b), max(a, b)]).inserted, "pair \(a)-\(b) twice", file: file, line: line)
        }
    }

    func testBalancedDistinctAndSeeded() throws {
        let pairs = try ValidationPairs(labels: labels, pairsPerKind: 25, seed: 3)
        check(pairs, perKind: 25)
        XCTAssertEqual(try ValidationPairs(labels: labels, pairsPerKind: 25, seed: 3), pairs)
        XCTAssertNotEqual(try ValidationPairs(labels: labels, pairsPerKind: 25, seed: 4), pairs)
    }

    func testNearlyAllPairsAndTooMany() throws {
        check(try ValidationPairs(labels: labels, pairsPerKind: 60, seed: 1), perKind: 60)   // every same-class pair
        XCTAssertEqual(DatasetFixtures.datasetError { try ValidationPairs(labels: labels, pairsPerKind: 61, seed: 1) },
                       .invalidParameter(reason: "validation pairs: 61 pairs per kind asked for; the data has 60 same-class and 720 different-class pairs"))
    }

    func testDistancesAreEuclidean() throws {
        let pairs = try ValidationPairs(labels: labels, pairsPerKind: 5, seed: 2)
        // Image i at (i, 2i): distance between i and j is √5·|i − j|.
        let embeddings = (0..<labels.count).flatMap { [Float($0), Float(2 * $0)] }   // [40, 2]
        let d = pairs.distances(embeddings: embeddings, dimension: 2)
        for i in 0..<pairs.count {
            XCTAssertEqual(d[i], Float(5.0.squareRoot()) * Float(abs(pairs.first[i] - pairs.second[i])), accuracy: 1e-4)
        }
    }
}
