import Dispatch
import ImageInput
import NetLayers

/// Timing of `FaceDetector.detect` for `pairmatch bench detector`.
public enum DetectorBenchmark {
    /// Per-image timing (milliseconds of wall time) over the repetitions.
    public struct ImageTiming: Sendable, Equatable {
        /// Image size in pixels.
        public let width: Int, height: Int
        /// The tiled pyramid the network ran on (rows, columns).
        public let tensorHeight: Int, tensorWidth: Int
        /// Multiply-adds of the network on that tensor.
        public let multiplyAdds: Int
        /// Faces found (last repetition).
        public let faces: Int
        /// Fastest and median run, in milliseconds.
        public let bestMilliseconds: Double, medianMilliseconds: Double
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
                    + "best \(fmt(t.bestMilliseconds)) ms, median \(fmt(t.medianMilliseconds)) ms, \(fmt(gflops)) GFLOP/s, \(t.faces) face(s)")
            }
            return lines.joined(separator: "\n")
        }

        private func fmt(_ v: Double) -> String {
            let r = (v * 10).rounded() / 10
            return String(describing: r)
        }
    }

    /// Times `detector.detect(in:options:)` on each image `repetitions` times (after one warm-up run that also
    /// sizes the workspace), with OpenBLAS set to `blasThreads` threads for the run and restored afterwards.
    /// Memory is that of one detection at the largest image (bounded by `options.maxPixels`).
    public static func run(detector: FaceDetector, images: [RGBImage], repetitions: Int = 5,
                           options: DetectionOptions = .dlibCompatible(), blasThreads: Int = 1) -> Report {
        let previous = BLASThreads.count
        BLASThreads.set(blasThreads)
        defer { BLASThreads.set(previous) }
        let reps = max(1, repetitions)
        var timings: [ImageTiming] = []
        for image in images {
            var faces = detector.detect(in: image, options: options).count
            var ms: [Double] = []
            for _ in 0..<reps {
                let t0 = DispatchTime.now().uptimeNanoseconds
                faces = detector.detect(in: image, options: options).count
                ms.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
            ms.sort()
            let layout = detector.model.pyramid.layout(width: image.width, height: image.height)
            timings.append(ImageTiming(width: image.width, height: image.height,
                                       tensorHeight: layout.height, tensorWidth: layout.width,
                                       multiplyAdds: detector.model.network.multiplyAdds(height: layout.height, width: layout.width),
                                       faces: faces, bestMilliseconds: ms[0], medianMilliseconds: ms[ms.count / 2]))
        }
        return Report(images: timings, blasThreads: BLASThreads.count, repetitions: reps)
    }

    /// Median milliseconds of each stage of one detection pass on `image` (no upsampling): index 0 renders the
    /// tiled pyramid, index i + 1 is network layer i. Uses its own workspace of `scratchLimit` floats.
    public static func layerProfile(detector: FaceDetector, image: RGBImage, repetitions: Int = 10,
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
            _ = network.forward(input, workspace: workspace) { lap($0 + 1) }
        }
        return samples.map { $0.sorted()[$0.count / 2] }
    }
}
