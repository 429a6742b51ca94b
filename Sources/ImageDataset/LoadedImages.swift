import Dispatch
import Foundation
import ImageInput
import LayerGraph

/// A whole data set in memory as encoder input: every image decoded once and converted by
/// `tensor(from:spec:)`, with its class label.
///
/// Images are in class order (class 0's files in file order, then class 1's, …), so each class's images are
/// one contiguous run; `rotatingClasses()` appends runs. Labels index `classNames`.
public struct LoadedImages: Sendable, Equatable {
    /// How every image was converted; `spec.shape` is each image's `[C, H, W]`.
    public let spec: InputSpec
    /// `[classCount]`; index = label.
    public let classNames: [String]
    /// `[N, C, H, W]`, image i at `i · spec.count`.
    public let images: [Float]
    /// `[N]` class indices in 0..<classCount.
    public let labels: [Int]
    /// `[N]` where each image came from (its file's relative path; `@90` etc. appended for rotated copies).
    public let sources: [String]

    /// Number of images N.
    public var count: Int { labels.count }
    /// Number of classes.
    public var classCount: Int { classNames.count }

    /// Wraps explicit tensors (tests, synthetic data).
    /// - Precondition: `images.count == labels.count · spec.count`, labels in 0..<classNames.count,
    ///   `sources` empty (then "#i" is used) or of `labels.count`.
    public init(spec: InputSpec, classNames: [String], images: [Float], labels: [Int], sources: [String] = []) {
        precondition(images.count == labels.count * spec.count,
                     "LoadedImages: \(images.count) floats for \(labels.count) images of \(spec.shape)")
        precondition(labels.allSatisfy { $0 >= 0 && $0 < classNames.count }, "LoadedImages: label out of range")
        precondition(sources.isEmpty || sources.count == labels.count, "LoadedImages: sources must match labels")
        self.spec = spec
        self.classNames = classNames
        self.images = images
        self.labels = labels
        self.sources = sources.isEmpty ? labels.indices.map { "#\($0)" } : sources
    }

    /// Decodes and converts every image of `folders` on `threads` workers (default: all cores). The result
    /// is the same for any thread count: image i is written at slot i, and when several files fail the error
    /// of the first in order is thrown.
    /// - Throws: `.unreadableImage` naming the file and ImageInput's cause (missing, corrupt, truncated, …).
    public init(loading folders: ClassFolders, spec: InputSpec,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws(DatasetError) {
        var files: [URL] = [], labels: [Int] = []
        for (c, cls) in folders.classes.enumerated() {
            files += cls.files
            labels += Array(repeating: c, count: cls.files.count)
        }
        let n = files.count, per = spec.count
        let failures = FailureSlots(count: n)
        let sendableFiles = files
        let workers = min(max(1, threads), max(n, 1))
        let images = [Float](unsafeUninitializedCapacity: n * per) { buffer, initialized in   // [N, C, H, W]
            nonisolated(unsafe) let out = buffer   // workers write disjoint images
            let work: @Sendable (Int) -> Void = { worker in
                for i in stride(from: worker, to: n, by: workers) {
                    let slot = UnsafeMutableBufferPointer(rebasing: out[(i * per)..<((i + 1) * per)])
                    do {
                        convert(try ImageDecoder.decode(contentsOf: sendableFiles[i]), spec: spec, into: slot)
                    } catch {
                        slot.initialize(repeating: 0)
                        let file = sendableFiles[i].relativePath
                        let cause = (error as? ImageInputError) ?? .unreadable(file: file, reason: "\(error)")
                        failures.set(i, .unreadableImage(file: file, cause: cause))
                    }
                }
            }
            if workers == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
            initialized = n * per
        }
        if let first = failures.first() { throw first }
        self.init(spec: spec, classNames: folders.classNames, images: images, labels: labels,
                  sources: files.map(\.relativePath))
    }

    /// Image `i`'s `[C, H, W]` floats.
    public func image(_ i: Int) -> ArraySlice<Float> {
        images[(i * spec.count)..<((i + 1) * spec.count)]
    }

    /// `[classCount]` lists of image indices per class, ascending.
    public func indicesByClass() -> [[Int]] {
        var byClass = [[Int]](repeating: [], count: classCount)
        for (i, l) in labels.enumerated() { byClass[l].append(i) }
        return byClass
    }

    /// The images of the classes `keep` (distinct class indices, any order), relabelled 0..<keep.count in the
    /// order given; images of a class keep their order.
    public func selecting(classes keep: [Int]) -> LoadedImages {
        let byClass = indicesByClass()
        var images: [Float] = [], labels: [Int] = [], sources: [String] = []
        for (j, c) in keep.enumerated() {
            for i in byClass[c] { images += image(i); labels.append(j); sources.append(self.sources[i]) }
        }
        return LoadedImages(spec: spec, classNames: keep.map { classNames[$0] }, images: images,
                            labels: labels, sources: sources)
    }
}

/// Per-image error slots written by the loading workers (each slot by one worker only; the lock orders the
/// writes with the final read).
private final class FailureSlots: @unchecked Sendable {
    private var slots: [DatasetError?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ error: DatasetError) { lock.lock(); slots[i] = error; lock.unlock() }
    func first() -> DatasetError? { lock.lock(); defer { lock.unlock() }; return slots.lazy.compactMap { $0 }.first }
}
