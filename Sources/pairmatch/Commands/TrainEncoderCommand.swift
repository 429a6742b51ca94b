import ArgumentParser
import EncoderTraining
import Foundation
import LayerGraph
import NetTraining
import PairNet
import WeightStore

/// Set by SIGINT; the training loop checks it after every step and stops at a checkpoint.
nonisolated(unsafe) private var stopRequested: sig_atomic_t = 0

/// `pairmatch train-encoder DATA -o encoder.h5`: learn an image encoder (the twin network's f) from a folder per class.
struct TrainEncoderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-encoder",
        abstract: "Train an image encoder from a folder per class (triplet loss or the binary siamese objective).",
        discussion: """
        DATA holds one sub-folder per class (nested folders allowed: a class is a folder of images, named by its \
        path, e.g. Greek/character01) with images in any format pairmatch reads. Validation uses held-out classes \
        only (--val DIR, --val-classes N or --val-groups A,B) and reports N-way one-shot accuracy after each epoch. \
        Beside OUT.h5 it writes OUT.best.h5 (best validation accuracy), OUT.checkpoint.h5 (resume with --resume; \
        Ctrl-C stops cleanly at one), OUT.curves.svg and OUT.head.h5, the head compare/score/identify use with \
        --encoder OUT.h5 (--loss binary: the logistic unit trained with the encoder; triplet: fitted on pairs of \
        training images). The same seed gives the same encoder on any thread count.
        """
    )

    @Argument(help: ArgumentHelp("Folder with one sub-folder of images per class.", valueName: "data")) var data: String
    @Option(name: .shortAndLong, help: ArgumentHelp("The encoder file to write (.h5).", valueName: "file")) var output: String
    @Option(help: "Network architecture.") var arch: EncoderArchitecture = .conv4
    @Option(help: ArgumentHelp("Input size in pixels: W or WxH.", valueName: "size")) var input = InputSizeOption(argument: "28")!
    @Option(help: "Input channels.") var channels: ChannelsOption = .gray
    @Option(help: ArgumentHelp("Embedding size (default: the architecture's; conv4 on 28×28 gives 64).", valueName: "n")) var dim: Int?
    @Option(help: "Training objective.") var loss: TrainingObjective = .triplet
    @Option(help: ArgumentHelp("Triplet margin α (squared distance on the unit sphere).", valueName: "α")) var margin: Float = 0.2
    @Option(help: "Triplet mining inside each P×K batch.") var mining: TripletMining = .semihard
    @Flag(name: .customLong("hard-pairs"), help: "Binary objective: take the closest different-class pairs of each batch.") var hardPairs = false
    @Option(name: .customLong("classes-per-batch"), help: ArgumentHelp("P: classes per batch.", valueName: "p")) var classesPerBatch = 32
    @Option(name: .customLong("per-class"), help: ArgumentHelp("K: images per class in a batch.", valueName: "k")) var perClass = 4
    @Option(name: .customLong("batches-per-epoch"), help: ArgumentHelp("Batches per epoch (default: images / (P·K)).", valueName: "n")) var batchesPerEpoch: Int?
    @Option(help: ArgumentHelp("Epochs.", valueName: "n")) var epochs = 30
    @Option(help: ArgumentHelp("Base learning rate (cosine schedule after a one-epoch warm-up).", valueName: "lr")) var lr: Float = 1e-3
    @Option(help: "Optimiser.") var optimizer: OptimizerKind = .adam
    @Option(name: .customLong("weight-decay"), help: ArgumentHelp("Weight decay (decoupled for adamw).", valueName: "wd")) var weightDecay: Float = 0
    @Flag(help: "Random small affine warps (shift, rotation, scale, shear) of every training image.") var augment = false
    @Flag(name: .customLong("rotations-as-classes"), help: "Add each class's 90°/180°/270° rotations as new classes.") var rotationsAsClasses = false
    @Option(name: .customLong("val"), help: ArgumentHelp("Validation classes from this folder.", valueName: "dir")) var validationFolder: String?
    @Option(name: .customLong("val-classes"), help: ArgumentHelp("Hold out N random classes of DATA.", valueName: "n")) var validationClasses: Int?
    @Option(name: .customLong("val-groups"), help: ArgumentHelp("Hold out these top-level folders of DATA (comma-separated).", valueName: "a,b")) var validationGroups: String?
    @Option(help: ArgumentHelp("N of the N-way one-shot validation.", valueName: "n")) var way = 20
    @Option(help: ArgumentHelp("One-shot validation episodes.", valueName: "n")) var episodes = 400
    @Option(help: ArgumentHelp("Seed of every random choice.", valueName: "n")) var seed: UInt64 = 1
    @Option(help: ArgumentHelp("What the images are (recorded in the encoder).", valueName: "name")) var domain = "images"
    @Option(name: .customLong("from"), help: ArgumentHelp("Start from this encoder (a trained one or the imported face encoder.h5).", valueName: "file")) var from: String?
    @Option(name: .customLong("train-layers"), help: ArgumentHelp("With --from: train only the last N top-level layers.", valueName: "n")) var trainLayers: Int?
    @Option(help: ArgumentHelp("Append one JSON line per epoch to this file.", valueName: "file")) var log: String?
    @Flag(help: "Continue from OUT.checkpoint.h5 (the same options are required).") var resume = false
    @Flag(help: "Replace an existing OUT.h5.") var force = false
    @OptionGroup var runtime: RuntimeOptions

    func config() -> EncoderTrainingConfig {
        var c = EncoderTrainingConfig()
        c.architecture = arch
        c.inputWidth = input.width; c.inputHeight = input.height
        c.channels = channels.count
        c.dimension = dim
        c.objective = loss
        c.margin = margin
        c.mining = mining
        c.hardPairs = hardPairs
        c.classesPerBatch = classesPerBatch; c.imagesPerClass = perClass
        c.batchesPerEpoch = batchesPerEpoch
        c.epochs = epochs
        c.learningRate = lr
        c.optimizer = optimizer
        c.weightDecay = weightDecay
        c.augment = augment
        c.rotationsAsClasses = rotationsAsClasses
        c.validationFolder = validationFolder.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        c.validationClasses = validationClasses
        c.validationGroups = validationGroups.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        c.way = way; c.episodes = episodes
        c.seed = seed
        c.domain = domain
        c.from = from.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        c.trainLayers = trainLayers
        return c
    }

    func validate() throws {
        if let p = config().problem() { throw ValidationError(p) }
        guard output.lowercased().hasSuffix(".h5") else { throw ValidationError("-o must name an .h5 file (got \(output))") }
    }

    func run() throws {
        let config = config()
        let out = URL(fileURLWithPath: output)
        let files = TrainingFiles(output: out)
        try checkOutputs(files, config: config)
        let initial = try from.map { try loadInitial($0) }
        let threads = runtime.resolvedThreads
        let trainer: EncoderTrainer
        do {
            trainer = try EncoderTrainer(config: config, data: URL(fileURLWithPath: data), output: out, initial: initial, threads: threads)
        } catch let e as EncoderTrainingError { throw CommandFailure.badInput(e.description) }
        print("training \(trainer.spec.layers.count)-layer \(initial == nil ? config.architecture.rawValue : "encoder from \(from!)") on "
              + "\(trainer.train.count) images of \(trainer.train.classCount) classes"
              + (trainer.validation.map { ", validating on \($0.count) images of \($0.classCount) held-out classes" } ?? "")
              + "; \(trainer.stepsPerEpoch) batches of \(config.batchSize) per epoch, \(config.epochs) epochs, \(threads) thread(s)")
        Console.flush()
        signal(SIGINT) { _ in stopRequested = 1 }
        defer { signal(SIGINT, SIG_DFL) }
        let bar = ProgressBar(total: trainer.totalSteps, label: "train")
        let outcome: TrainingOutcome
        do {
            outcome = try trainer.run(resume: resume, threads: threads, log: log.map { URL(fileURLWithPath: $0) },
                                      shouldStop: { stopRequested != 0 }) { event in
                switch event {
                case .step: bar.advance()
                case .epoch(let r):
                    if Console.stderrIsTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                    print(Self.line(r, epochs: config.epochs))
                    Console.flush()
                case .wrote: break
                }
            }
        } catch let e as EncoderTrainingError {
            bar.finish()
            if case .resume = e { throw CommandFailure.model(e.description) }
            throw CommandFailure.badInput(e.description)
        } catch let e as WeightStoreError {
            bar.finish()
            throw CommandFailure.model(e)
        }
        bar.finish()
        switch outcome {
        case .stopped(let step):
            print("stopped after step \(step); continue with the same command and --resume (\(files.checkpoint.path))")
            throw ExitCode(130)
        case .finished:
            print("written \(files.encoder.path) and \(files.head.path)")
            if trainer.validation != nil { print("best validation encoder \(files.best.path)") }
            print("curves \(files.curves.path)")
        }
    }

    static func line(_ r: EpochReport, epochs: Int) -> String {
        var s = String(format: "epoch %d/%d  loss %.4f  %@ %.1f%%  lr %.2e", r.epoch, epochs, r.loss,
                       "active", r.activeFraction * 100, r.learningRate)
        if let a = r.validationAccuracy { s += String(format: "  val one-shot %.1f%%", a * 100) }
        if let u = r.validationUnitAccuracy { s += String(format: " (unit %.1f%%)", u * 100) }
        if let auc = r.validationAUC { s += String(format: "  AUC %.4f", auc) }
        if let eer = r.validationEER { s += String(format: "  EER %.1f%%", eer * 100) }
        s += String(format: "  %.0f images/s  %.1f s", r.imagesPerSecond, r.seconds)
        return s
    }

    /// Refuses, before any work, an output that would replace something by mistake.
    func checkOutputs(_ files: TrainingFiles, config: EncoderTrainingConfig) throws {
        let fm = FileManager.default
        let dataPath = URL(fileURLWithPath: data).standardizedFileURL.path
        for url in files.all {
            let p = url.standardizedFileURL.path
            if p.hasPrefix(dataPath + "/") { throw CommandFailure.badInput("\(url.path): output inside the data folder \(data)") }
        }
        // No link, folder, device or FIFO as an output, none of them the --from encoder, no two the same file.
        try OutputSafety.check(files: files.all.map(\.path), inputs: [from, log])
        if !resume && !force && fm.fileExists(atPath: files.encoder.path) {
            throw CommandFailure.badInput("\(files.encoder.path): exists; use --force to replace it or --resume to continue its run")
        }
        if !resume && fm.fileExists(atPath: files.checkpoint.path) && !force {
            throw CommandFailure.badInput("\(files.checkpoint.path): holds the checkpoint of an earlier run; continue it with --resume or start over with --force")
        }
    }

    /// `--from`: a trained encoder (kind pairmatch.image-encoder) or the imported face ResNet (pairmatch.encoder).
    func loadInitial(_ path: String) throws -> NetworkWeights {
        do {
            let archive = try WeightArchive.read(from: URL(fileURLWithPath: path))
            if archive.kind == ResNetTopology.kind { return try ResNetTopology.networkWeights(archive: archive) }
            return try NetworkWeights(archive: archive)
        } catch {
            throw CommandFailure.model(error)
        }
    }
}
