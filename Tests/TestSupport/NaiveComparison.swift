import NetLayers
import SeededRandom
import XCTest

/// The one strict comparison of an optimised path against its naive reference, shared by every module's tests:
/// random tensors from the project's seeded generator (reproducible), a NaN-aware maximum difference (an output
/// left unwritten, NaN-filled, counts as infinitely wrong instead of being folded away by `max`), and
/// `assertMatchesNaive` for convolutions.
extension SplitMix64 {
    /// `count` floats uniform in [-1, 1).
    public mutating func floats(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -1..<1, using: &self) } }
    /// A tensor of `shape` with floats uniform in [-1, 1).
    public mutating func tensor(_ shape: Shape4) -> Tensor4 { Tensor4(shape: shape, values: floats(shape.count)) }
}

extension Convolution {
    /// A k×k layer of `o` outputs and `i` inputs, stride `s`, padding `p`, with weights and bias uniform in [-1, 1).
    public static func random(o: Int, i: Int, k: Int, s: Int, p: Int, rng: inout SplitMix64) -> Convolution {
        Convolution(outputChannels: o, inputChannels: i, kernel: (k, k), stride: (s, s), padding: (p, p),
                    weights: rng.floats(o * i * k * k), bias: rng.floats(o))
    }
}

/// max |a − b| over two equal-length arrays (infinity when any difference is NaN).
public func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "compared arrays differ in length: \(a.count) vs \(b.count)")
    return zip(a, b).reduce(Float(0)) { m, pair in
        let d = abs(pair.0 - pair.1)
        return d.isNaN ? .infinity : max(m, d)
    }
}

/// Runs `conv.forward(algorithm:)` and `forwardNaive` on `input` with the epilogue `epilogueKind`
/// (0 = bias only, 1 = ReLU, 2 = random residual + ReLU) and asserts they agree within float rounding for the
/// layer's patch size. The fast output starts as NaN, so an unwritten element fails.
public func assertMatchesNaive(_ conv: Convolution, _ inputTensor: Tensor4, epilogueKind: Int, scratchLimit: Int,
                        algorithm: Convolution.Algorithm, rng: inout SplitMix64,
                        file: StaticString = #filePath, line: UInt = #line) {
    var input = inputTensor
    let outShape = conv.outputShape(for: input.shape)
    var residual = rng.tensor(outShape)
    var fast = Tensor4(shape: outShape, values: [Float](repeating: .nan, count: outShape.count))
    var naive = Tensor4(zeros: outShape)
    let scratch = FloatBuffer()
    input.withFeatureMap { i in
        residual.withFeatureMap { r in
            let epilogue: ConvEpilogue = epilogueKind == 0 ? .none : epilogueKind == 1 ? .relu : .addThenReLU(r)
            fast.withFeatureMap {
                conv.forward(i, into: $0, epilogue: epilogue, scratch: scratch, scratchLimit: scratchLimit, algorithm: algorithm)
            }
            naive.withFeatureMap { conv.forwardNaive(i, into: $0, epilogue: epilogue) }
        }
    }
    let tolerance = 1e-5 * Float(conv.patchSize).squareRoot() * 4
    XCTAssertLessThan(maxAbsDifference(fast.values, naive.values), tolerance,
                      "\(algorithm) conv \(conv.kernelHeight)x\(conv.kernelWidth)/\(conv.strideY),\(conv.strideX) "
                      + "p\(conv.paddingY),\(conv.paddingX) \(conv.inputChannels)→\(conv.outputChannels) on \(input.shape)",
                      file: file, line: line)
}

/// Asserts that `actual` (an optimised path's output, NaN-filled before it ran) matches `expected` within `tolerance`,
/// counting unwritten (NaN) outputs separately so the message says which failure it is.
public func assertMatches(_ actual: [Float], _ expected: [Float], tolerance: Float, _ what: String,
                          file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "\(what): output sizes differ", file: file, line: line)
    let unwritten = zip(actual, expected).filter { abs($0 - $1).isNaN }.count
    XCTAssertEqual(unwritten, 0, "\(what): \(unwritten) outputs left unwritten (NaN)", file: file, line: line)
    XCTAssertLessThan(maxAbsDifference(actual, expected), tolerance, what, file: file, line: line)
}

/// Asserts that `actual` and `expected` are the same floats bit for bit (so a NaN left in an unwritten output
/// fails unless the reference has the very same NaN there), naming the first element that differs.
public func assertBitwiseEqual(_ actual: [Float], _ expected: [Float], _ what: String,
                               file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "\(what): sizes differ", file: file, line: line)
    let differing = zip(actual, expected).enumerated().filter { $0.element.0.bitPattern != $0.element.1.bitPattern }
    if let first = differing.first {
        XCTFail("\(what): \(differing.count) of \(actual.count) differ, first at \(first.offset): \(first.element.0) vs \(first.element.1)",
                file: file, line: line)
    }
}
