import Dispatch
import ImageInput
import NetLayers

/// Timing of the MMOD detector for `pairmatch bench detector`, against a baseline in the same run.
///
/// Each repetition times one detection pass (`FaceDetector.detections(in:threshold:path:)`: tiled pyramid,
/// network, windows, NMS; no upsampling) on the specialised path and then on the generic one
/// (`MMODNetwork.Path.generic`: every convolution through NetLayers' im2col), alternating so that both see the
/// same machine load; the ratio of the medians is the speed-up of the detector's own convolution forms.
public enum DetectorBenchmark {
    /// Per-image timing (milliseconds of wall time) over the repetitions.
    public struct ImageTiming: Sendable, Equatable {
        /// Image size in pixels.
        public let width: Int, height: Int
        /// The tiled pyramid the network ran on (rows, columns).
        public let tensorHeight: Int, tensorWidth: Int
        /// Multiply-adds of the network on that tensor.
        public let multiplyAdds: Int
        /// Faces found (last repetition, specialised path).
        public let faces: Int
        /// Fastest and median pass on the specialised path, in milliseconds.
        public let bestMilliseconds: Double, medianMilliseconds: Double
        /// Median pass on the generic path (the baseline), in milliseconds.
        public let baselineMedianMilliseconds: Double
        /// Median milliseconds per stage on the specialised and generic paths (`Stage`), or empty when not
        /// profiled.
        public let stageMilliseconds: [Double], baselineStageMilliseconds: [Double]

        /// Baseline median ÷ specialised median.
        public var speedup: Double { baselineMedianMilliseconds / max(medianMilliseconds, 1e-9) }
    }

    /// The result of `run`.
    public struct Report: Sendable, Equatable, CustomStringConvertible {
        public let images: [ImageTiming]
        /// OpenBLAS threads during the run.
        public let blasThreads: Int
        public let repetitions: Int
        /// Mean over images of the median per-image time, in milliseconds.
        public var millisecondsPerImage: Double {
            images.isEmpty ? 0 : images.map(\.medianMilliseconds).reduce(0, +) / Double(images.count)
        }

        public var description: String {
            var lines = ["detector: \(images.count) image(s), \(repetitions) repetition(s), \(blasThreads) BLAS thread(s): "
                + "\(fmt(millisecondsPerImage)) ms per image (median)"]
            for t in images {
                let gflops = Double(2 * t.multiplyAdds) / (t.medianMilliseconds * 1e6)
                lines.append("  \(t.width)×\(t.height) (tensor \(t.tensorWidth)×\(t.tensorHeight), \(fmt(Double(t.multiplyAdds) / 1e6)) M MACs): "
                    + "best \(fmt(t.bestMilliseconds)) ms, median \(fmt(t.medianMilliseconds)) ms, \(fmt(gflops)) GFLOP/s, \(t.faces) face(s); "
                    + "generic im2col path \(fmt(t.baselineMedianMilliseconds)) ms (\(fmt(t.speedup))× faster)")
                if !t.stageMilliseconds.isEmpty {
                    let names = ["pyramid"] + (0..<(t.stageMilliseconds.count - 1)).map { "conv\($0)" }
                    lines.append("    stages (ms, specialised / generic): " + zip(names, zip(t.stageMilliseconds, t.baselineStageMilliseconds))
                        .map { "\($0) \(fmt2($1.0))/\(fmt2($1.1))" }.joined(separator: ", "))
                }
            }
            return lines.joined(separator: "\n")
        }

        private func fmt(_ v: Double) -> String { String(describing: (v * 10).rounded() / 10) }
        private func fmt2(_ v: Double) -> String { String(describing: (v * 100).rounded() / 100) }
    }

    /// Times one detection pass on each image `repetitions` times per path (after one warm-up pass per path
    /// that also sizes the workspace), with OpenBLAS set to `blasThreads` threads for the run and restored
    /// afterwards. With `profileStages`, also the per-stage medians (`stageProfile`). Memory is that of one
    /// detection at the largest image.
    public static func run(detector: FaceDetector, images: [RGBImage], repetitions: Int = 5, blasThreads: Int = 1,
                           profileStages: Bool = false) -> Report {
        BLASThreads.withThreads(blasThreads) {
            let reps = max(1, repetitions)
            var timings: [ImageTiming] = []
            for image in images {
                var faces = detector.detections(in: image).count
                _ = detector.detections(in: image, path: .generic)
                var fast: [Double] = [], generic: [Double] = []
                for _ in 0..<reps {
                    fast.append(milliseconds { faces = detector.detections(in: image).count })
                    generic.append(milliseconds { _ = detector.detections(in: image, path: .generic) })
                }
                fast.sort()
                let layout = detector.model.pyramid.layout(width: image.width, height: image.height)
                timings.append(ImageTiming(
                    width: image.width, height: image.height, tensorHeight: layout.height, tensorWidth: layout.width,
                    multiplyAdds: detector.model.network.multiplyAdds(height: layout.height, width: layout.width),
                    faces: faces, bestMilliseconds: fast[0], medianMilliseconds: median(fast),
                    baselineMedianMilliseconds: median(generic),
                    stageMilliseconds: profileStages ? stageProfile(detector: detector, image: image, repetitions: reps) : [],
                    baselineStageMilliseconds: profileStages
                        ? stageProfile(detector: detector, image: image, repetitions: reps, path: .generic) : []))
            }
            return Report(images: timings, blasThreads: BLASThreads.count, repetitions: reps)
        }
    }

    /// Median milliseconds of each stage of one network pass on `image` (no upsampling): index 0 renders the
    /// tiled pyramid, index i + 1 is network layer i. Uses its own workspace of `scratchLimit` floats.
    public static func stageProfile(detector: FaceDetector, image: RGBImage, repetitions: Int = 10,
                                    path: MMODNetwork.Path = .specialised,
                                    scratchLimit: Int = MMODWorkspace.defaultScratchLimit) -> [Double] {
        let network = detector.model.network
        let layout = detector.model.pyramid.layout(width: image.width, height: image.height)
        guard network.outputShape(height: layout.height, width: layout.width) != nil else { return [] }
        let workspace = MMODWorkspace(scratchLimit: scratchLimit)
        var samples = [[Double]](repeating: [], count: network.convolutions.count + 1)
        for rep in 0...max(1, repetitions) {                         // repetition 0 warms up
            var t = DispatchTime.now().uptimeNanoseconds
            func lap(_ stage: Int) {
                let now = DispatchTime.now().uptimeNanoseconds
                if rep > 0 { samples[stage].append(Double(now - t) / 1e6) }
                t = now
            }
            let input = workspace.input.map(Shape4(n: 1, c: 3, h: layout.height, w: layout.width))   // [1, 3, H, W]
            layout.render(image, mean: network.meanRGB, scale: network.inputScale, into: input)
            lap(0)
            _ = network.forward(input, workspace: workspace, path: path) { lap($0 + 1) }
        }
        return samples.map(median)
    }

    private static func milliseconds(_ body: () -> Void) -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
    }

    private static func median(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.sorted()[values.count / 2]
    }
}
