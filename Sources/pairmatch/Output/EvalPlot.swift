import Foundation
import PairMetrics

/// An SVG with two panels: the ROC curve (TAR against FAR, log FAR axis) and the histograms of the head's
/// probability for same-person and different-person pairs, with the decision threshold marked.
enum EvalPlot {
    static func svg(probabilities: [Float], labels: [Bool], threshold: Float) -> String {
        let w = 900.0, h = 380.0, pad = 50.0, panel = (w - 3 * pad) / 2
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        // ROC
        let x0 = pad, y0 = h - pad, ph = h - 2 * pad
        s += frame(x0, pad, panel, ph, title: "ROC (log FAR)", xlabel: "false accept rate", ylabel: "true accept rate")
        if let scored = try? ScoredPairs(scores: probabilities, labels: labels), let roc = try? scored.rocCurve() {
            let minLog = -4.0
            let pts = roc.map { p -> (Double, Double) in
                let lx = max(minLog, log10(max(p.falseAcceptRate, 1e-4)))
                return (x0 + (lx - minLog) / -minLog * panel, y0 - p.trueAcceptRate * ph)
            }
            s += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"" + pts.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ") + "\"/>\n"
            for (i, label) in ["1e-4", "1e-3", "1e-2", "0.1", "1"].enumerated() {
                s += "<text x=\"\(f(x0 + Double(i) / 4 * panel))\" y=\"\(f(y0 + 15))\" text-anchor=\"middle\">\(label)</text>\n"
            }
        }
        // Histograms
        let hx = 2 * pad + panel, bins = 40
        s += frame(hx, pad, panel, ph, title: "head probability", xlabel: "P(same person)", ylabel: "pairs")
        var same = [Int](repeating: 0, count: bins), diff = same
        for (p, l) in zip(probabilities, labels) {
            let b = min(bins - 1, max(0, Int(Double(p) * Double(bins))))
            if l { same[b] += 1 } else { diff[b] += 1 }
        }
        let top = Double(max(1, (same + diff).max() ?? 1))
        for (counts, colour) in [(diff, "#d62728"), (same, "#2ca02c")] {
            for b in 0..<bins where counts[b] > 0 {
                let bw = panel / Double(bins), bh = Double(counts[b]) / top * ph
                s += "<rect x=\"\(f(hx + Double(b) * bw))\" y=\"\(f(y0 - bh))\" width=\"\(f(bw))\" height=\"\(f(bh))\" fill=\"\(colour)\" fill-opacity=\"0.55\"/>\n"
            }
        }
        let tx = hx + Double(threshold) * panel
        s += "<line x1=\"\(f(tx))\" y1=\"\(f(pad))\" x2=\"\(f(tx))\" y2=\"\(f(y0))\" stroke=\"black\" stroke-dasharray=\"4 3\"/>\n"
        s += "<text x=\"\(f(hx + 8))\" y=\"\(f(pad + 16))\" fill=\"#2ca02c\">same person</text><text x=\"\(f(hx + 8))\" y=\"\(f(pad + 32))\" fill=\"#d62728\">different people</text>\n"
        return s + "</svg>\n"
    }

    private static func frame(_ x: Double, _ y: Double, _ w: Double, _ h: Double, title: String, xlabel: String, ylabel: String) -> String {
        "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"none\" stroke=\"#444\"/>\n" +
            "<text x=\"\(f(x + w / 2))\" y=\"\(f(y - 10))\" text-anchor=\"middle\" font-weight=\"bold\">\(title)</text>\n" +
            "<text x=\"\(f(x + w / 2))\" y=\"\(f(y + h + 32))\" text-anchor=\"middle\">\(xlabel)</text>\n" +
            "<text transform=\"translate(\(f(x - 30)),\(f(y + h / 2))) rotate(-90)\" text-anchor=\"middle\">\(ylabel)</text>\n"
    }

    private static func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
