import Foundation
import XCTest
@testable import FaceAlignment

final class SimilarityTransformTests: XCTestCase {
    private let points = [SubpixelPoint(x: 0.1, y: 0.2), SubpixelPoint(x: 0.9, y: 0.25), SubpixelPoint(x: 0.5, y: 0.7),
                          SubpixelPoint(x: 0.3, y: 0.35), SubpixelPoint(x: 0.66, y: 0.4)]

    func testRecoversKnownRotationScaleTranslation() {
        let angle = 0.3, scale = 2.5, tx = 14.0, ty = -3.0
        let truth = AffineTransform2D(m00: scale * cos(angle), m01: -scale * sin(angle),
                                      m10: scale * sin(angle), m11: scale * cos(angle), tx: tx, ty: ty)
        let fit = AffineTransform2D.similarity(from: points, to: points.map(truth.apply))
        XCTAssertEqual(fit.m00, truth.m00, accuracy: 1e-12)
        XCTAssertEqual(fit.m01, truth.m01, accuracy: 1e-12)
        XCTAssertEqual(fit.m10, truth.m10, accuracy: 1e-12)
        XCTAssertEqual(fit.m11, truth.m11, accuracy: 1e-12)
        XCTAssertEqual(fit.tx, tx, accuracy: 1e-12)
        XCTAssertEqual(fit.ty, ty, accuracy: 1e-12)
        XCTAssertEqual(fit.angle, angle, accuracy: 1e-12)
        XCTAssertEqual(fit.scale, scale, accuracy: 1e-12)
    }

    /// Noisy targets: the fit must be the least-squares optimum among similarities (no better one nearby).
    func testIsLeastSquaresOptimumWithNoise() {
        let noisy = points.enumerated().map { i, p in
            SubpixelPoint(x: 3 * p.x + 1 + 0.05 * Double(i % 2), y: 3 * p.y - 2 - 0.04 * Double(i % 3))
        }
        let fit = AffineTransform2D.similarity(from: points, to: noisy)
        func cost(_ t: AffineTransform2D) -> Double {
            zip(points, noisy).reduce(0) { s, pq in
                let r = t.apply(pq.0)
                return s + (r.x - pq.1.x) * (r.x - pq.1.x) + (r.y - pq.1.y) * (r.y - pq.1.y)
            }
        }
        let best = cost(fit)
        for (da, db, dx, dy) in [(1e-4, 0.0, 0.0, 0.0), (-1e-4, 0, 0, 0), (0, 1e-4, 0, 0), (0, -1e-4, 0, 0),
                                 (0, 0, 1e-4, 0), (0, 0, 0, -1e-4)] {
            var t = fit
            t.m00 += da; t.m11 += da; t.m10 += db; t.m01 -= db; t.tx += dx; t.ty += dy
            XCTAssertGreaterThan(cost(t), best)
        }
    }

    /// A mirrored target: Umeyama (with its det < 0 correction) still returns a proper rotation·scale.
    func testReflectedTargetsGiveProperRotation() {
        let mirrored = points.map { SubpixelPoint(x: -$0.x, y: $0.y) }
        let fit = AffineTransform2D.similarity(from: points, to: mirrored)
        XCTAssertEqual(fit.m00, fit.m11, accuracy: 1e-15)
        XCTAssertEqual(fit.m01, -fit.m10, accuracy: 1e-15)
        XCTAssertGreaterThanOrEqual(fit.m00 * fit.m11 - fit.m01 * fit.m10, 0)
    }

    func testDegenerateSourceGivesIdentityLinearPart() {
        let same = Array(repeating: SubpixelPoint(x: 2, y: 3), count: 3)
        let fit = AffineTransform2D.similarity(from: same, to: same.map { SubpixelPoint(x: $0.x + 1, y: $0.y) })
        XCTAssertEqual(fit, AffineTransform2D(m00: 1, m01: 0, m10: 0, m11: 1, tx: 1, ty: 0))
    }
}
