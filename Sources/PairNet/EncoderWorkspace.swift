import NetLayers
import Synchronization

/// Scratch memory for one forward pass of up to `capacity` faces: three activation buffers that the
/// layers rotate through, and the convolutions' im2col/product or Winograd scratch. Used by one thread at a time.
///
/// Sizes: activations 3 × 165,888 floats per face (the stem's [32, 72, 72] output is the largest map),
/// about 2 MB per face; conv scratch about the encoder's `scratchLimit` (2 MiB by default, plus a few KiB of Winograd work rows), whatever the batch.
final class EncoderWorkspace: @unchecked Sendable {
    /// Rotating activation buffers, each `[N, C, H, W]` with N·C·H·W ≤ capacity · maxActivation.
    let activations = [FloatBuffer(), FloatBuffer(), FloatBuffer()]
    /// Convolution scratch.
    let scratch = FloatBuffer()
    /// Faces the buffers currently hold room for.
    private(set) var capacity = 0
    /// Helpers that split one pass's layers when it has fewer faces than threads (created on first use).
    private var team: WorkerTeam?

    /// Who computes a pass's layer products: the caller alone for `threads` ≤ 1, else this workspace's team of
    /// `threads` workers (spin-waiting helpers: a layer's share of one face is only ~100 µs, less than waking a
    /// pool thread costs). Bitwise the same result either way.
    func layerWorkers(threads: Int) -> Workers {
        guard threads > 1 else { return .one }
        if team?.size != threads { team = WorkerTeam(size: threads) }
        return .team(team!)
    }

    /// Grows the buffers for `faces` faces of `network` (no-op when already large enough).
    func reserve(faces: Int, network: EncoderNetwork, scratchLimit: Int) {
        guard faces > capacity else { return }
        let sizes = network.bufferSizes(faces: faces, scratchLimit: scratchLimit)
        for buffer in activations { buffer.reserve(sizes.activation) }
        scratch.reserve(sizes.scratch)
        capacity = faces
    }
}

/// Workspaces kept between calls so that the hot path does not allocate (and does not page-fault fresh
/// memory): each call checks one out per worker thread and returns it.
final class EncoderWorkspacePool: Sendable {
    private let free = Mutex<[EncoderWorkspace]>([])

    func checkOut() -> EncoderWorkspace {
        free.withLock { $0.popLast() } ?? EncoderWorkspace()
    }

    func checkIn(_ workspace: EncoderWorkspace) {
        free.withLock { $0.append(workspace) }
    }

    /// Frees every idle workspace.
    func removeAll() {
        free.withLock { $0.removeAll() }
    }
}

extension EncoderNetwork {
    /// The largest activation (floats) and the conv scratch (floats) a pass over `faces` faces needs.
    func bufferSizes(faces: Int, scratchLimit: Int) -> (activation: Int, scratch: Int) {
        var activation = faces * 3 * ResNetTopology.inputSize * ResNetTopology.inputSize, scratch = 0
        forEachConvolution(faces: faces) { conv, input in
            scratch = max(scratch, conv.scratchCount(for: input, scratchLimit: scratchLimit))
            activation = max(activation, conv.outputShape(for: input).count)
        } blockOutput: { shape in
            activation = max(activation, shape.count)
        }
        return (activation, scratch)
    }
}
