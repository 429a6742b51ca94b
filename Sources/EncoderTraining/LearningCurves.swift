import Foundation

/// The learning curves as an SVG: training loss (left axis) and validation one-shot accuracy (right axis, 0–100%)
/// per epoch.
public enum LearningCurves {
    public static func svg(_ reports: [EpochReport], title: String) -> String {
        let w = 720.0, h = 360.0, left = 60.0, right = 60.0, top = 40.0, bottom = 50.0
        let pw = w - left - right, ph = h - top - bottom
        let n = max(1, reports.count)
        let maxLoss = max(1e-9, reports.map(\.loss).max() ?? 1)
        func x(_ i: Int) -> Double { left + (n == 1 ? pw / 2 : Double(i) / Double(n - 1) * pw) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(f(w / 2))\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">\(esc(title))</text>\n"
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(pw))\" height=\"\(f(ph))\" fill=\"none\" stroke=\"#888\"/>\n"
        for k in 0...4 {
            let y = top + ph - Double(k) / 4 * ph
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\" fill=\"#1f77b4\">\(String(format: "%.3g", maxLoss * Double(k) / 4))</text>\n"
            s += "<text x=\"\(f(left + pw + 6))\" y=\"\(f(y + 4))\" fill=\"#d62728\">\(k * 25)%</text>\n"
        }
        s += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(h - 12))\" text-anchor=\"middle\">epoch (1–\(reports.count))</text>\n"
        s += "<text x=\"\(f(left))\" y=\"\(f(top - 8))\" fill=\"#1f77b4\">training loss</text>\n"
        s += "<text x=\"\(f(left + pw))\" y=\"\(f(top - 8))\" text-anchor=\"end\" fill=\"#d62728\">validation one-shot accuracy</text>\n"
        let loss = reports.enumerated().map { "\(f(x($0.offset))),\(f(top + ph - $0.element.loss / maxLoss * ph))" }
        s += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"\(loss.joined(separator: " "))\"/>\n"
        let acc = reports.enumerated().compactMap { i, r in r.validationAccuracy.map { "\(f(x(i))),\(f(top + ph - $0 * ph))" } }
        if !acc.isEmpty {
            s += "<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\" points=\"\(acc.joined(separator: " "))\"/>\n"
        }
        return s + "</svg>\n"
    }
}
