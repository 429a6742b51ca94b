import Foundation
import LayerGraph
import WeightStore

/// Everything a training run needs to continue exactly where it stopped: the network's tensors (trained form),
/// the optimiser's state and step, the position in the run (epoch, step), named generator states, named extra
/// tensors (e.g. the logistic unit of the binary objective), named metrics (e.g. the best validation accuracy so
/// far) and the run's full configuration as JSON (so a resume can refuse another configuration).
///
/// File: kind `pairmatch.training-checkpoint`, format 1. Tensors under `network/<path>`, `optimizer/<name>`,
/// `extra/<name>`; root attributes `network` (spec JSON), `optimizer` (OptimizerConfig JSON), `optimizer_step`,
/// `epoch`, `step`, `config`, `generator_<name>` (UInt64 state stored as its Int64 bit pattern), `metric_<name>`,
/// and `fingerprint` (of the network weights). Written atomically (`WeightArchive.write`: temp, fsync, rename).
public struct TrainingCheckpoint: Sendable {
    public var weights: NetworkWeights
    public var optimizerConfig: OptimizerConfig
    public var optimizerStep: Int
    /// As `Optimizer.stateTensors`.
    public var optimizerState: [String: [Float]]
    /// Completed epochs.
    public var epoch: Int
    /// Completed steps of the whole run.
    public var step: Int
    public var generators: [String: UInt64]
    public var extraTensors: [String: [Float]]
    public var metrics: [String: Double]
    /// The run's configuration as JSON (opaque here).
    public var config: String

    public static let fileKind = "pairmatch.training-checkpoint"

    public init(weights: NetworkWeights, optimizerConfig: OptimizerConfig, optimizerStep: Int, optimizerState: [String: [Float]],
                epoch: Int, step: Int, generators: [String: UInt64] = [:], extraTensors: [String: [Float]] = [:],
                metrics: [String: Double] = [:], config: String) {
        self.weights = weights
        self.optimizerConfig = optimizerConfig
        self.optimizerStep = optimizerStep
        self.optimizerState = optimizerState
        self.epoch = epoch
        self.step = step
        self.generators = generators
        self.extraTensors = extraTensors
        self.metrics = metrics
        self.config = config
    }

    /// Captures `network` and `optimizer` as they are now.
    public init(network: TrainingNetwork, optimizer: Optimizer, epoch: Int, step: Int, generators: [String: UInt64] = [:],
                extraTensors: [String: [Float]] = [:], metrics: [String: Double] = [:], config: String) throws {
        self.init(weights: try network.weights(), optimizerConfig: optimizer.config, optimizerStep: optimizer.step,
                  optimizerState: optimizer.stateTensors, epoch: epoch, step: step, generators: generators,
                  extraTensors: extraTensors, metrics: metrics, config: config)
    }

    /// Restores the network's tensors and returns an optimiser in the saved state.
    /// Precondition: `network.spec == weights.spec`.
    public func restore(into network: TrainingNetwork) throws -> Optimizer {
        precondition(network.spec == weights.spec, "checkpoint: another network")
        network.load(weights)
        let optimizer = Optimizer(config: optimizerConfig, parameterCount: network.parameters.count)
        try optimizer.restore(step: optimizerStep, stateTensors: optimizerState)
        return optimizer
    }

    /// Writes the checkpoint atomically to `url`.
    public func write(to url: URL) throws {
        var a = WeightArchive(kind: Self.fileKind, formatVersion: 1)
        let json = JSONEncoder()
        json.outputFormatting = [.sortedKeys]
        a.set(attribute: "network", .string(String(decoding: try NetworkWeights.canonicalJSON(weights.spec), as: UTF8.self)))
        a.set(attribute: "fingerprint", .string(try weights.fingerprint()))
        a.set(attribute: "optimizer", .string(String(decoding: try json.encode(optimizerConfig), as: UTF8.self)))
        a.set(attribute: "optimizer_step", .integer(Int64(optimizerStep)))
        a.set(attribute: "epoch", .integer(Int64(epoch)))
        a.set(attribute: "step", .integer(Int64(step)))
        a.set(attribute: "config", .string(config))
        for (name, state) in generators { a.set(attribute: "generator_" + name, .integer(Int64(bitPattern: state))) }
        for (name, value) in metrics { a.set(attribute: "metric_" + name, .float(value)) }
        for p in try weights.spec.parameters() { a.set(Tensor(shape: p.shape, values: weights.tensors[p.path]!), at: "network/" + p.path) }
        for (name, v) in optimizerState { a.set(Tensor(shape: [v.count], values: v), at: "optimizer/" + name) }
        for (name, v) in extraTensors { a.set(Tensor(shape: [v.count], values: v), at: "extra/" + name) }
        try a.write(to: url)
    }

    /// Reads a checkpoint; the network weights are checked against the stored fingerprint.
    /// - Throws: `WeightStoreError` (missing, not HDF5, wrong kind), `LayerGraphError.invalidFile` (corrupt).
    public static func read(from url: URL) throws -> TrainingCheckpoint {
        let a = try WeightArchive.read(from: url, kind: fileKind)
        let name = a.fileName
        func decode<T: Decodable>(_ type: T.Type, _ attribute: String) throws -> T {
            do { return try JSONDecoder().decode(T.self, from: Data(try a.string(attribute).utf8)) } catch let e as WeightStoreError { throw e } catch {
                throw LayerGraphError.invalidFile(path: name, reason: "attribute \(attribute) does not parse (\(error))")
            }
        }
        let spec = try decode(NetworkSpec.self, "network")
        var tensors: [String: [Float]] = [:]
        for p in try spec.parameters() { tensors[p.path] = try a.tensor("network/" + p.path, shape: p.shape).values }
        let weights = try NetworkWeights(spec: spec, tensors: tensors, source: name)
        guard try weights.fingerprint() == (try a.string("fingerprint")) else {
            throw LayerGraphError.invalidFile(path: name, reason: "network weights do not match the stored fingerprint: the file is corrupt")
        }
        var optimizerState: [String: [Float]] = [:], extra: [String: [Float]] = [:]
        for path in a.tensorPaths {
            if path.hasPrefix("optimizer/") { optimizerState[String(path.dropFirst(10))] = try a.tensor(path).values }
            if path.hasPrefix("extra/") { extra[String(path.dropFirst(6))] = try a.tensor(path).values }
        }
        var generators: [String: UInt64] = [:], metrics: [String: Double] = [:]
        for attr in a.attributeNames() {
            if attr.hasPrefix("generator_") { generators[String(attr.dropFirst(10))] = UInt64(bitPattern: Int64(try a.integer(attr))) }
            if attr.hasPrefix("metric_") { metrics[String(attr.dropFirst(7))] = try a.float(attr) }
        }
        return TrainingCheckpoint(weights: weights, optimizerConfig: try decode(OptimizerConfig.self, "optimizer"),
                                  optimizerStep: try a.integer("optimizer_step"), optimizerState: optimizerState,
                                  epoch: try a.integer("epoch"), step: try a.integer("step"), generators: generators,
                                  extraTensors: extra, metrics: metrics, config: try a.string("config"))
    }
}
