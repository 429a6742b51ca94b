import ArgumentParser
import FaceAlignment
import FaceDetection
import Foundation
import ImageInput
import NetLayers

/// `pairmatch bench detector`: decode, detect, landmarks + chip on one thread, on a 250×250 LFW-sized photo
/// and a 1280×720 one (the bundled sample resized and re-encoded as JPEG when no images are given). Detection
/// is timed against the generic im2col path in the same run (`DetectorBenchmark`).
struct BenchDetectorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detector",
        abstract: "Time JPEG decoding, MMOD detection and landmarks + chip on one thread."
    )

    @Argument(help: ArgumentHelp("Photos to time (default: Data/samples/obama.jpg as 250×250 and 1280×720 JPEGs).", valueName: "image"))
    var images: [String] = []
    @Option(help: ArgumentHelp("Repetitions per image.", valueName: "n")) var repetitions = 10
    @Flag(help: "Also time each stage (pyramid, every convolution) on both paths.") var stages = false
    @OptionGroup var models: ModelOptions

    func run() throws {
        let detector: FaceDetector, landmarks: LandmarkPredictor
        do {
            detector = try FaceDetector(contentsOf: models.file(.detector))
            landmarks = try LandmarkPredictor(contentsOf: models.file(.landmarks))
        } catch let f as CommandFailure { throw f } catch { throw CommandFailure.model(error) }
        var photos: [(String, Data, RGBImage)] = []
        do {
            if images.isEmpty {
                let sample = try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: "Data/samples/obama.jpg"))
                for (w, h) in [(250, 250), (1280, 720)] {
                    let name = "samples/obama.jpg → \(w)×\(h) JPEG"
                    let jpeg = try sample.resized(width: w, height: h).jpegData(quality: 90)
                    photos.append((name, jpeg, try ImageDecoder.decode(data: jpeg, name: name)))
                }
            } else {
                for p in images {
                    let data = try Data(contentsOf: URL(fileURLWithPath: p))
                    photos.append((p, data, try ImageDecoder.decode(data: data, name: p)))
                }
            }
        } catch { throw CommandFailure.badInput(error) }
        let report = DetectorBenchmark.run(detector: detector, images: photos.map(\.2), repetitions: repetitions,
                                           profileStages: stages)
        print(report)
        for (name, data, image) in photos {
            let decode = Self.median(repetitions) { _ = try? ImageDecoder.decode(data: data, name: name) }
            let faces = detector.detect(in: image)
            var align = 0.0
            if let d = faces.first {
                align = Self.median(repetitions) { _ = ChipExtractor.chip(from: image, landmarks: landmarks.landmarks(in: image, box: d.box)) }
            }
            print(String(format: "%@: decode %.2f ms (%@), landmarks + chip %.2f ms", name, decode,
                         ImageDecoder.format(of: data)?.rawValue ?? "?", align))
        }
    }

    static func median(_ n: Int, _ body: () -> Void) -> Double {
        body()
        var t: [Double] = []
        for _ in 0..<max(1, n) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            t.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        return t.sorted()[t.count / 2]
    }
}
