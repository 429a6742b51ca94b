import ArgumentParser
import EncoderTraining
import LayerGraph
import NetTraining

// Enum options of train-encoder, parsed from their raw values (`--arch conv4`, `--loss binary`, …).
extension EncoderArchitecture: ExpressibleByArgument {}
extension TrainingObjective: ExpressibleByArgument {}
extension TripletMining: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}

/// `--channels gray|rgb`.
enum ChannelsOption: String, CaseIterable, ExpressibleByArgument {
    case gray, rgb
    var count: Int { self == .gray ? 1 : 3 }
}

/// `--input 28` or `--input 28x32` (width × height, pixels).
struct InputSizeOption: ExpressibleByArgument, Equatable {
    let width: Int, height: Int
    init?(argument: String) {
        let parts = argument.lowercased().split(separator: "x").map { Int($0) }
        guard (1...2).contains(parts.count), parts.allSatisfy({ $0 != nil }) else { return nil }
        width = parts[0]!
        height = parts.count == 2 ? parts[1]! : parts[0]!
    }
    var defaultValueDescription: String { width == height ? "\(width)" : "\(width)x\(height)" }
}
