import Dispatch
import Foundation
import NetLayers

/// Where the encoder's time goes, per convolution: for `pairmatch bench encoder --layers`.
extension EncoderBenchmark {
    /// One convolution of the encoder at one batch size and thread count.
    public struct LayerTiming: Sendable, CustomStringConvertible {
        /// "stem", "block3.conv1", …
        public let name: String
        /// The layer's input `[N, I, H, W]`.
        public let input: Shape4
        /// "winograd4x4", "winograd" or "im2col" (what `.automatic` picks for this plane).
        public let algorithm: String
        /// Best wall time of one forward call, in ms.
        public let milliseconds: Double
        /// Best wall time of one OpenBLAS `sgemm` of the layer's im2col product `[O, K] · [K, N·Ho·Wo]` on one
        /// thread, in ms: the dense-math limit for the direct multiply-adds (Winograd may beat it).
        public let sgemmMilliseconds: Double

        /// Layer time over its im2col sgemm time (< 1: faster than the sgemm would be).
        public var ratioToSGEMM: Double { milliseconds / sgemmMilliseconds }

        public var description: String {
            String(format: "%-14@ %-22@ %-8@ %7.3f ms   sgemm %7.3f ms   ×%.2f", name as NSString,
                   "\(input.n)×\(input.c)×\(input.h)×\(input.w)" as NSString, algorithm as NSString, milliseconds,
                   sgemmMilliseconds, ratioToSGEMM)
        }
    }

    /// Times every convolution of `encoder` on random activations of batch `batch`, each call on `threads`
    /// workers (a `WorkerTeam`, as the encoder's own passes use), taking the best of `rounds` calls; beside it,
    /// one-thread OpenBLAS sgemm of the same im2col product.
    public static func layerTimings(encoder: Encoder, batch: Int, threads: Int, rounds: Int = 20) -> [LayerTiming] {
        let net = encoder.network
        BLASThreads.useSingleThreadedBLAS()
        var layers: [(String, Convolution, Shape4)] = []
        net.forEachConvolution(faces: batch) { conv, shape in
            let i = layers.count                          // 0: the stem, then each block's conv1 and conv2
            layers.append((i == 0 ? "stem" : "block\((i - 1) / 2).conv\(2 - i % 2)", conv, shape))
        }
        let scratch = FloatBuffer()
        let team = threads > 1 ? WorkerTeam(size: threads) : nil
        let workers = team.map { Workers.team($0) } ?? .one
        return layers.map { name, conv, shape in
            let out = conv.outputShape(for: shape)
            let input = FloatBuffer(capacity: shape.count), output = FloatBuffer(capacity: out.count)
            for i in 0..<shape.count { input.pointer[i] = Float((i * 7919) % 1000) / 1000 - 0.5 }
            let x = FeatureMap(shape: shape, data: input.pointer), y = FeatureMap(shape: out, data: output.pointer)
            let layer = best(rounds) { conv.forward(x, into: y, epilogue: .relu, scratch: scratch, workers: workers) }
            // the im2col product's operands (contents do not affect speed)
            let k = conv.patchSize, n = out.n * out.h * out.w, o = conv.outputChannels
            let b = FloatBuffer(capacity: k * n), c = FloatBuffer(capacity: o * n)
            b.pointer.update(repeating: 0.5, count: k * n)
            let sgemm = conv.weights.withUnsafeBufferPointer { w in
                best(rounds) { gemm(m: o, n: n, k: k, a: w.baseAddress!, lda: k, b: b.pointer, ldb: n, c: c.pointer, ldc: n) }
            }
            return LayerTiming(name: name, input: shape, algorithm: conv.algorithm(for: shape).description,
                               milliseconds: layer, sgemmMilliseconds: sgemm)
        }
    }

    /// Best wall time of `rounds` calls of `body` after one warm-up, in ms.
    private static func best(_ rounds: Int, _ body: () -> Void) -> Double {
        body()
        var best = Double.infinity
        for _ in 0..<max(1, rounds) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        return best
    }
}
