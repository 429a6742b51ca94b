import ImageDataset
import XCTest

final class PKBatchSamplerTests: XCTestCase {
    /// Classes 0…3 with 4 images each, class 4 with 2: image i has label labels[i].
    private let labels = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4]

    func testBatchShapeLabelsAndNoRepeatsInsideAClass() throws {
        let sampler = try PKBatchSampler(labels: labels, classesPerBatch: 3, imagesPerClass: 3, seed: 5)
        XCTAssertEqual(sampler.batchesPerEpoch, 2)   // ⌊18 / 9⌋
        XCTAssertEqual(sampler.batchSize, 9)
        for batch in sampler.epoch(0) + sampler.epoch(1) + sampler.epoch(2) {
            XCTAssertEqual(batch.indices.count, 9)
            XCTAssertEqual(batch.labels, batch.indices.map { labels[$0] })
            let runs = stride(from: 0, to: 9, by: 3).map { Array(batch.indices[$0..<($0 + 3)]) }
            XCTAssertEqual(Set(runs.map { labels[$0[0]] }).count, 3, "P distinct classes")
            for run in runs {
                XCTAssertEqual(Set(run.map { labels[$0] }).count, 1, "K consecutive images of one class")
                if labels[run[0]] == 4 {
                    XCTAssertEqual(Set(run), [16, 17], "a class smaller than K repeats its images")
                } else {
                    XCTAssertEqual(Set(run).count, 3, "no image twice in a batch")
                }
            }
        }
    }

    func testEpochsAreFixedBySeedAndEpochNumber() throws {
        let a = try PKBatchSampler(labels: labels, classesPerBatch: 2, imagesPerClass: 2, seed: 1)
        let b = try PKBatchSampler(labels: labels, classesPerBatch: 2, imagesPerClass: 2, seed: 1)
        XCTAssertEqual(a.epoch(3), b.epoch(3))
        XCTAssertNotEqual(a.epoch(3), a.epoch(4))
        let c = try PKBatchSampler(labels: labels, classesPerBatch: 2, imagesPerClass: 2, seed: 2)
        XCTAssertNotEqual(a.epoch(3), c.epoch(3))
    }

    func testClassesAndImagesAreUsedEvenly() throws {
        // 10 batches × P 3 = 30 class draws over 5 classes: whole rounds, so exactly 6 each; images of the
        // 4-image classes: 6 draws × K 2 = 12 = 3 rounds of 4, so exactly 3 each.
        let sampler = try PKBatchSampler(labels: labels, classesPerBatch: 3, imagesPerClass: 2, batchesPerEpoch: 10, seed: 9)
        var classUses = [Int](repeating: 0, count: 5), imageUses = [Int](repeating: 0, count: labels.count)
        for batch in sampler.epoch(0) {
            for k in stride(from: 0, to: batch.labels.count, by: 2) { classUses[batch.labels[k]] += 1 }
            for i in batch.indices { imageUses[i] += 1 }
        }
        XCTAssertEqual(classUses, [6, 6, 6, 6, 6])
        XCTAssertEqual(Array(imageUses[0..<16]), Array(repeating: 3, count: 16))
        XCTAssertEqual(Array(imageUses[16...]), [6, 6])
    }

    func testInvalidParameters() {
        XCTAssertEqual(DatasetFixtures.datasetError { try PKBatchSampler(labels: labels, classesPerBatch: 6, imagesPerClass: 2, seed: 0) },
                       .tooFewClasses(what: "P×K batches with P = 6", needed: 6, available: 5, imagesEach: 1))
        XCTAssertNotNil(DatasetFixtures.datasetError { try PKBatchSampler(labels: labels, classesPerBatch: 2, imagesPerClass: 0, seed: 0) })
        XCTAssertNotNil(DatasetFixtures.datasetError {
            try PKBatchSampler(labels: labels, classesPerBatch: 2, imagesPerClass: 2, batchesPerEpoch: 0, seed: 0)
        })
    }
}
