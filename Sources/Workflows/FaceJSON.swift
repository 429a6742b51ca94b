import FaceAnalysis
import FaceDetection
import Foundation
import ImageInput
import PairNet

/// JSON renderings of analysed faces shared by `embed`, `detect` and `compare`.
public enum FaceJSON {
    public static func box(_ b: FaceBox) -> JSONValue { .ints([b.left, b.top, b.right, b.bottom]) }

    /// `{"box", "score", "landmarks", "embedding"}` (keys present only when known).
    public static func face(_ f: AnalyzedFace, embedding: Bool) -> JSONValue {
        var o: [(String, JSONValue)] = []
        if let b = f.box { o.append(("box", box(b))) }
        if let s = f.score { o.append(("score", .double(s))) }
        if !f.landmarks.isEmpty { o.append(("landmarks", .array(f.landmarks.map { .ints([$0.x, $0.y]) }))) }
        if embedding, let e = f.embedding { o.append(("embedding", .floats(e.values))) }
        return .object(o)
    }

    public static func image(_ a: AnalyzedImage, embedding: Bool, aligned: Bool) -> JSONValue {
        var o: [(String, JSONValue)] = [("path", .string(a.path))]
        if !aligned { o += [("width", .int(a.width)), ("height", .int(a.height))] }
        o.append(("faces", .array(a.faces.map { face($0, embedding: embedding) })))
        return .object(o)
    }

    /// `chip` as a `data:image/png;base64,…` URL (nil if PNG encoding fails).
    public static func pngDataURL(_ chip: FaceChip) -> String? {
        guard let png = try? RGBImage(width: FaceChip.size, height: FaceChip.size, pixels: chip.pixels).pngData() else { return nil }
        return "data:image/png;base64," + png.base64EncodedString()
    }

    public static func failure(path: String, _ message: String) -> JSONValue {
        .object([("path", .string(path)), ("error", .string(message))])
    }
}
