import FaceDetection
import Foundation
import ImageInput

/// dlib's MMOD output for one image, as stored in the shared reference `.jsonl` files
/// (`{"path", "width", "height", "upsample", "mmod_boxes": [{"box": [l, t, r, b], "score"}], …}`).
struct ReferenceImage {
    /// Relative to the shared folder (or the fixture folder for fixtures).
    let path: String
    let width: Int, height: Int
    let faces: [Detection]

    /// Parses one JSON line; nil when it is not a record with `mmod_boxes`.
    init?(json line: Substring) {
        guard let data = line.data(using: .utf8),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let path = obj["path"] as? String, let w = obj["width"] as? Int, let h = obj["height"] as? Int,
              let boxes = obj["mmod_boxes"] as? [[String: Any]] else { return nil }
        var faces: [Detection] = []
        for b in boxes {
            guard let r = b["box"] as? [Int], r.count == 4, let s = (b["score"] as? NSNumber)?.doubleValue else { return nil }
            faces.append(Detection(box: FaceBox(left: r[0], top: r[1], right: r[2], bottom: r[3]), score: s))
        }
        self.path = path; self.width = w; self.height = h; self.faces = faces
    }

    /// Every record of a `.jsonl` file (blank lines skipped). A line that does not parse is an error, and so is a
    /// file without records: a parity test must never pass on an empty list.
    static func load(_ url: URL) throws -> [ReferenceImage] {
        struct Unreadable: Error, CustomStringConvertible { let description: String }
        let text = try String(contentsOf: url, encoding: .utf8)
        var records: [ReferenceImage] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !line.allSatisfy(\.isWhitespace) {
            guard let r = ReferenceImage(json: line) else { throw Unreadable(description: "\(url.path): line \(i + 1) is not a reference record") }
            records.append(r)
        }
        guard !records.isEmpty else { throw Unreadable(description: "\(url.path): no reference records") }
        return records
    }
}

/// Agreement between our detections and dlib's over a set of images. A reference face is matched to our
/// unused detection of highest IoU (> 0.5 counts as found).
struct ParityTally: CustomStringConvertible {
    var images = 0
    var referenceFaces = 0
    var matched = 0
    var goodIoU = 0          // matched with IoU ≥ 0.9
    var missed = 0           // reference faces we did not find
    var extra = 0            // our faces dlib did not report
    var exactBoxes = 0
    var maxScoreDelta = 0.0
    var worst: [String] = []

    mutating func add(ours: [Detection], reference: [Detection], name: String) {
        images += 1
        referenceFaces += reference.count
        var used = Set<Int>()
        for ref in reference {
            var best = -1, bestIoU = 0.0
            for (i, d) in ours.enumerated() where !used.contains(i) {
                let iou = d.box.intersectionOverUnion(ref.box)
                if iou > bestIoU { bestIoU = iou; best = i }
            }
            if best >= 0 && bestIoU > 0.5 {
                used.insert(best)
                matched += 1
                if bestIoU >= 0.9 { goodIoU += 1 }
                if ours[best].box == ref.box { exactBoxes += 1 }
                let delta = abs(ours[best].score - ref.score)
                maxScoreDelta = max(maxScoreDelta, delta)
                if bestIoU < 0.9 || delta > 1e-3 {
                    worst.append("\(name): dlib \(ref.box) \(ref.score) ours \(ours[best].box) \(ours[best].score)")
                }
            } else {
                missed += 1
                worst.append("\(name): missed dlib \(ref.box) \(ref.score)")
            }
        }
        for (i, d) in ours.enumerated() where !used.contains(i) {
            extra += 1
            worst.append("\(name): extra \(d.box) \(d.score)")
        }
    }

    var goodFraction: Double { referenceFaces == 0 ? 1 : Double(goodIoU) / Double(referenceFaces) }
    var missedFraction: Double { referenceFaces == 0 ? 0 : Double(missed) / Double(referenceFaces) }
    var extraFraction: Double { referenceFaces == 0 ? 0 : Double(extra) / Double(referenceFaces) }

    var description: String {
        "\(images) images, \(referenceFaces) dlib faces: IoU≥0.9 \(goodIoU) (\(String(format: "%.2f", 100 * goodFraction))%), "
            + "exact boxes \(exactBoxes), missed \(missed), extra \(extra), max |Δscore| \(String(format: "%.2e", maxScoreDelta))"
    }
}
