import WeightStore

/// One computational record of a dlib network, already in pairmatch's vocabulary (Docs/MODEL_FILES.md):
/// `type` is `con`, `affine`, `bn_con`, `relu`, `add_prev`, `max_pool`, `avg_pool` or `fc`.
struct NetworkLayer {
    var type: String
    /// dlib tag/skip wrappers between this record and the previous one.
    var wrappersBelow = 0
    var attributes: [String: AttributeValue] = [:]
    var tensors: [String: Tensor] = [:]

    /// Learned values in this record (excluding batch-norm running statistics).
    var parameterCount: Int {
        tensors.filter { !$0.key.hasPrefix("running_") }.values.reduce(0) { $0 + $1.count }
    }
}

/// A parsed dlib DNN file (DLIB_FORMAT.md §2): loss, input layer and records in forward order.
struct DlibNetwork {
    var lossType: String
    var lossAttributes: [String: AttributeValue] = [:]
    var inputType: String
    var inputAttributes: [String: AttributeValue] = [:]
    var layers: [NetworkLayer] = []
    var wrapperCount = 0

    /// Parses a whole DNN file; the stream must be consumed to its last byte.
    static func parse(_ s: inout DlibStream) throws -> DlibNetwork {
        let lossVersion = try s.int()
        guard lossVersion == 1 else { throw s.error("add_loss_layer version \(lossVersion), expected 1", at: 0) }
        var net = DlibNetwork(lossType: "", inputType: "")
        try net.readLoss(&s)

        // Wrapper versions, outermost first, until the input layer's type tag.
        var versions: [Int] = []
        while !(s.peekString()?.hasPrefix("input") ?? false) {
            guard versions.count < 10_000 else { throw s.error("no input layer found") }
            versions.append(try s.int())
        }
        guard let innermost = versions.last, innermost == 2 || innermost == 3 else {
            throw s.error("innermost add_layer version \(versions.last ?? -1), expected 2 or 3")
        }
        net.wrapperCount = versions.count
        try net.readInput(&s)

        net.layers.append(try readRecord(&s, sampleExpansion: innermost == 3))
        var pending = 0
        for v in versions.dropLast().reversed() {   // inner -> outer
            if v != 2 { pending += 1; continue }     // tag/skip wrappers carry version 1 and no record
            var layer = try readRecord(&s, sampleExpansion: false)
            layer.wrappersBelow = pending
            pending = 0
            net.layers.append(layer)
        }
        guard s.atEnd else { throw s.error("\(s.bytes.count - s.offset) unexpected trailing bytes") }
        return net
    }

    private mutating func readLoss(_ s: inout DlibStream) throws {
        let start = s.offset
        lossType = try s.string()
        switch lossType {
        case "loss_metric_2":
            lossAttributes["loss_margin"] = .float(try s.real())
            lossAttributes["loss_distance_threshold"] = .float(try s.real())
        case "loss_metric_":
            break
        case "loss_mmod_":
            let version = try s.int()
            guard (1...4).contains(version) else { throw s.error("mmod_options version \(version)") }
            lossAttributes["options_version"] = .integer(Int64(version))
            var windows: [Int64] = []
            if version == 1 {
                windows = [Int64(try s.int()), Int64(try s.int())]
            } else {
                for _ in 0..<(try s.count("detector window count", limit: 1000)) {
                    let wv = try s.int()
                    windows += [Int64(try s.int()), Int64(try s.int())]
                    if wv == 2 { _ = try s.string() }
                }
            }
            lossAttributes["detector_windows"] = .integers(windows)
            lossAttributes["loss_per_false_alarm"] = .float(try s.real())
            lossAttributes["loss_per_missed_target"] = .float(try s.real())
            lossAttributes["truth_match_iou_threshold"] = .float(try s.real())
            lossAttributes["nms_iou_threshold"] = .float(try s.real())
            lossAttributes["nms_percent_covered_threshold"] = .float(try s.real())
            lossAttributes["ignore_iou_threshold"] = .float(try s.real())
            lossAttributes["ignore_percent_covered_threshold"] = .float(try s.real())
            var bbr: Int64 = 0
            if version >= 3 { lossAttributes["assume_image_pyramid"] = .integer(Int64(try s.int())) }
            if version >= 4 {
                bbr = try s.bool() ? 1 : 0
                lossAttributes["bbr_lambda"] = .float(try s.real())
            }
            lossAttributes["use_bounding_box_regression"] = .integer(bbr)
        default:
            throw s.error("unknown loss layer '\(lossType)'", at: start)
        }
    }

    private mutating func readInput(_ s: inout DlibStream) throws {
        let start = s.offset
        inputType = try s.string()
        switch inputType {
        case "input_rgb_image_sized", "input_rgb_image", "input_rgb_image_pyramid", "input_rgb_image_pyramid2":
            inputAttributes["input_mean_rgb"] = .floats([try s.real(), try s.real(), try s.real()])
            if inputType == "input_rgb_image_sized" {
                inputAttributes["input_size"] = .integers([Int64(try s.int()), Int64(try s.int())])
            }
            if inputType.hasPrefix("input_rgb_image_pyramid") {
                var padding: Int64 = 10, outer: Int64 = 11
                if inputType == "input_rgb_image_pyramid2" {
                    padding = Int64(try s.int())
                    outer = Int64(try s.int())
                }
                inputAttributes["pyramid_padding"] = .integer(padding)
                inputAttributes["pyramid_outer_padding"] = .integer(outer)
            }
        default:
            throw s.error("unknown input layer '\(inputType)'", at: start)
        }
    }

    /// One add_layer record: details, three bookkeeping bools, three (empty) state tensors, and for the
    /// layer on the input a `sample_expansion_factor` when its version is 3.
    private static func readRecord(_ s: inout DlibStream, sampleExpansion: Bool) throws -> NetworkLayer {
        let layer = try readDetails(&s)
        for _ in 0..<3 { _ = try s.bool() }
        for _ in 0..<3 { _ = try s.tensor() }
        if sampleExpansion { _ = try s.int() }
        return layer
    }
}
