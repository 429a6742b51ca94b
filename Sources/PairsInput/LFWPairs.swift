import Foundation

/// LFW's pairs lists (Huang et al. 2007, UMass TR 07-49): a count line, then `name i j` rows (same person)
/// and `name1 i name2 j` rows (different people); image k of a person is `ROOT/name/name_%04d.jpg`.
enum LFWPairs {
    /// The header LFW rows get in output files: the two image paths relative to the root, and the label.
    static let header = ["a", "b", "label"]

    static func parse(_ text: String, url: URL, root: URL) throws -> PairsFile {
        var rows: [PairRow] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where i > 0 {
            let tokens = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            if tokens.isEmpty { continue }
            let number = rows.count + 1
            var pair: (String, Int, String, Int)?
            if tokens.count == 3, let i1 = Int(tokens[1]), let i2 = Int(tokens[2]) { pair = (tokens[0], i1, tokens[0], i2) }
            if tokens.count == 4, let i1 = Int(tokens[1]), let i2 = Int(tokens[3]) { pair = (tokens[0], i1, tokens[2], i2) }
            guard let (n1, i1, n2, i2) = pair, i1 > 0, i2 > 0 else {
                rows.append(PairRow(number: number, fields: tokens, a: nil, b: nil, label: nil,
                                    problem: "row \(number) (line \(i + 1)): not an LFW pair (name i j, or name1 i name2 j)"))
                continue
            }
            let a = imagePath(n1, i1), b = imagePath(n2, i2)
            let same = tokens.count == 3
            rows.append(PairRow(number: number, fields: [a, b, same ? "1" : "0"], a: root.appendingPathComponent(a),
                                b: root.appendingPathComponent(b), label: same, problem: nil))
        }
        guard !rows.isEmpty else { throw PairsFileError.empty(path: url.path) }
        return PairsFile(url: url, format: .lfw, header: header, rows: rows)
    }

    /// `name/name_0001.jpg`.
    static func imagePath(_ name: String, _ index: Int) -> String {
        let n = String(index)
        return "\(name)/\(name)_\(String(repeating: "0", count: max(0, 4 - n.count)))\(n).jpg"
    }
}
