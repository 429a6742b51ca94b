import ImageDataset
import XCTest

final class OneShotEpisodesTests: XCTestCase {
    /// 30 classes × 3 images, plus class 30 with a single image (never eligible).
    private let labels: [Int] = (0..<30).flatMap { Array(repeating: $0, count: 3) } + [30]

    func testEpisodesAreValidAndFixedBySeed() throws {
        let set = try OneShotEpisodes(labels: labels, way: 20, episodes: 50, seed: 42)
        XCTAssertEqual(set.episodes.count, 50)
        XCTAssertEqual(set.imageCount, 91)
        for e in set.episodes {
            XCTAssertEqual(Set(e.classes).count, 20)
            XCTAssertFalse(e.classes.contains(30))
            for k in 0..<20 {
                XCTAssertEqual(labels[e.support[k]], e.classes[k])
                XCTAssertEqual(labels[e.queries[k]], e.classes[k])
                XCTAssertNotEqual(e.support[k], e.queries[k])
            }
        }
        XCTAssertEqual(try OneShotEpisodes(labels: labels, way: 20, episodes: 50, seed: 42), set)
        XCTAssertNotEqual(try OneShotEpisodes(labels: labels, way: 20, episodes: 50, seed: 43).episodes, set.episodes)
    }

    func testAccuracyOnHandMadeEmbeddings() throws {
        let set = try OneShotEpisodes(labels: labels, way: 5, episodes: 7, seed: 1)
        let d = 31
        // Perfectly separated: image of class c at 10·e_c plus a small per-image offset.
        var separated = [Float](repeating: 0, count: labels.count * d)   // [91, 31]
        for (i, c) in labels.enumerated() { separated[i * d + c] = 10; separated[i * d + 30] = Float(i % 3) * 0.1 }
        XCTAssertEqual(set.accuracy(embeddings: separated, dimension: d), 1)
        // All embeddings equal: every query ties with every support and goes to the first: 1 of 5 correct.
        let same = [Float](repeating: 0.5, count: labels.count * d)
        XCTAssertEqual(set.accuracies(embeddings: same, dimension: d), Array(repeating: 0.2, count: 7))
        // In episode 0 only, move the query of its first class next to the support of its second class.
        var confused = separated
        let e = set.episodes[0]
        for k in 0..<d { confused[e.queries[0] * d + k] = separated[e.support[1] * d + k] }
        let per = set.accuracies(embeddings: confused, dimension: d)
        XCTAssertEqual(per[0], 0.8)
        XCTAssertEqual(Array(per[1...]), Array(repeating: 1, count: 6))
        XCTAssertEqual(set.accuracy(embeddings: confused, dimension: d), (0.8 + 6) / 7, accuracy: 1e-12)
    }

    func testTooFewEligibleClasses() {
        XCTAssertEqual(DatasetFixtures.datasetError { try OneShotEpisodes(labels: labels, way: 31, episodes: 1, seed: 0) },
                       .tooFewClasses(what: "31-way one-shot episodes", needed: 31, available: 30, imagesEach: 2))
        XCTAssertNotNil(DatasetFixtures.datasetError { try OneShotEpisodes(labels: labels, way: 1, episodes: 1, seed: 0) })
    }
}
