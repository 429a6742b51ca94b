import Dispatch
import FaceEmbedding
import Foundation
import NetLayers
import WeightStore

/// The twin ResNet encoder: `FaceChip` → 128-d `Embedding` (dlib_face_recognition_resnet_model_v1, read
/// from `encoder.h5`). "Twin": both faces of a pair go through this one set of weights.
///
/// Thread safety: the weights are immutable and every call takes its scratch from an internal pool
/// (one workspace per worker thread, kept for reuse), so one `Encoder` may be called from several
/// threads at once.
///
/// Threading (`threads`, default 1): faces in parallel, OpenBLAS single-threaded. A call with B chips
/// and T threads runs min(T, B) workers, each embedding its own share of the chips in batches of at most
/// `maxBatch`; when B < T each worker also splits every convolution's products over ⌊T / B⌋ threads
/// (`Convolution.forward(workers:)`: by output channels or Winograd element, through libdispatch), so one face
/// uses both cores. (NetLayers' spin-waiting `WorkerTeam` was faster in a debug-build run but hung once in a release
/// run before its wake-up was made sequentially consistent; it stays out of the hot path until that is re-measured.)
/// Every product is `PackedMatrix`'s fixed fold, so an embedding is bitwise the same for any batch, position
/// and thread count. OpenBLAS's own threads are not used (`BLASThreads.useSingleThreadedBLAS()`, process-wide).
/// T should not exceed the number of cores.
public final class Encoder: Sendable {
    /// The file's `fingerprint` attribute (sha256 of dlib's .dat): the identity heads and galleries record.
    public let fingerprint: String
    /// Default worker-thread budget for `embed` (≥ 1).
    public let threads: Int
    /// Largest number of faces per forward pass (bounds scratch memory: ≈ 2 MB of activations per face).
    public let maxBatch: Int
    /// Floats of scratch one convolution may use (im2col matrix or Winograd V/M; see `Convolution.plan`, `winogradPlan`).
    let scratchLimit: Int
    let network: EncoderNetwork
    private let pool = EncoderWorkspacePool()

    /// Reads `encoder.h5` (kind `pairmatch.encoder`) and checks every hyper-parameter against the topology.
    /// - Parameters:
    ///   - threads: default thread budget for `embed` (the CLI's `--threads`).
    ///   - maxBatch: faces per forward pass (default 16).
    /// - Throws: `WeightStoreError` (missing file, not HDF5, wrong kind, missing or misshapen tensor) or
    ///   `PairNetError.topologyMismatch` naming the file and the first mismatching attribute or record.
    public convenience init(contentsOf url: URL, threads: Int = 1, maxBatch: Int = 16) throws {
        let archive = try WeightArchive.read(from: url, kind: ResNetTopology.kind)
        try self.init(archive: archive, threads: threads, maxBatch: maxBatch)
    }

    /// The same from an archive already in memory (`archive.kind` must be `pairmatch.encoder`).
    public init(archive: WeightArchive, threads: Int = 1, maxBatch: Int = 16,
                scratchLimit: Int = Convolution.defaultScratchLimit) throws {
        guard archive.kind == ResNetTopology.kind else {
            throw WeightStoreError.wrongKind(path: archive.fileName, expected: ResNetTopology.kind, found: archive.kind)
        }
        network = try EncoderNetwork(archive: archive)
        fingerprint = network.fingerprint
        self.threads = max(1, threads)
        self.maxBatch = max(1, maxBatch)
        self.scratchLimit = scratchLimit
    }

    /// Floating-point operations per face (2 × multiply-adds of the convolutions and the fc layer):
    /// 541,708,288 ≈ 0.542 GFLOP.
    public var flopsPerFace: Double { network.flopsPerFace }

    /// Embeds every chip, in order, using `threads` (default: the encoder's) worker threads.
    public func embed(_ chips: [FaceChip], threads: Int? = nil) -> [Embedding] {
        embed(chips, threads: threads ?? self.threads, algorithm: .gemm)
    }

    /// One chip's embedding.
    public func embed(_ chip: FaceChip) -> Embedding { embed([chip])[0] }

    /// Compares two faces with the one shared encoder: the pair feature the logistic head consumes and
    /// the Euclidean distance ‖f(a) − f(b)‖ (dlib's threshold is 0.6).
    public func comparePair(_ a: FaceChip, _ b: FaceChip, kind: PairFeatureKind = .absoluteDifference,
                            threads: Int? = nil) -> (features: PairFeatures, distance: Float) {
        let e = embed([a, b], threads: threads)
        return (PairFeatures(e[0], e[1], kind: kind), e[0].distance(to: e[1]))
    }

    /// Frees the scratch kept between calls (it is re-created on the next call).
    public func releaseScratch() { pool.removeAll() }

    func embed(_ chips: [FaceChip], threads: Int, algorithm: EncoderAlgorithm) -> [Embedding] {
        guard !chips.isEmpty else { return [] }
        let dim = ResNetTopology.embeddingDimension
        let workers = min(max(1, threads), chips.count)
        let layerThreads = max(1, threads) / workers          // fewer chips than threads: split each layer too
        BLASThreads.useSingleThreadedBLAS()
        // Work items: contiguous runs of ≤ maxBatch chips, spread evenly over the workers.
        let perPass = min(maxBatch, (chips.count + workers - 1) / workers)
        let items = stride(from: 0, to: chips.count, by: perPass).map { ($0, min(perPass, chips.count - $0)) }
        let output = UnsafeMutablePointer<Float>.allocate(capacity: chips.count * dim)     // [B, 128]
        defer { output.deallocate() }
        nonisolated(unsafe) let out = output                 // workers write disjoint rows
        let run: @Sendable (Int) -> Void = { [self] worker in
            let workspace = pool.checkOut()
            defer { pool.checkIn(workspace) }
            for item in stride(from: worker, to: items.count, by: workers) {
                let (first, count) = items[item]
                network.forward(chips, first: first, count: count, into: out + first * dim, workspace: workspace,
                                algorithm: algorithm, scratchLimit: scratchLimit,
                                layerWorkers: workspace.layerWorkers(threads: layerThreads))
            }
        }
        if workers == 1 { run(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: run) }
        return (0..<chips.count).map { Embedding(Array(UnsafeBufferPointer(start: output + $0 * dim, count: dim))) }
    }
}
