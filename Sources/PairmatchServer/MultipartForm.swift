import Foundation
import MultipartKit
import NIOCore

/// One part of a `multipart/form-data` body: its field name, the uploaded file's name (when it is a file) and bytes.
struct FormPart: Sendable {
    var name: String
    var filename: String?
    var contentType: String?
    var body: Data
}

/// `multipart/form-data` bodies, parsed with MultipartKit's `MultipartParser` (streaming, boundary from the
/// `Content-Type` header). Only the `Content-Disposition` parameters (`name`, `filename`, `filename*`) are read here.
enum MultipartForm {
    /// The parts of `body`, in order. 400 when the boundary is missing, the body is malformed or truncated (no
    /// closing boundary), or a part has no field name.
    static func parts(_ body: ByteBuffer, contentType: String) throws -> [FormPart] {
        guard let boundary = HeaderParameters.value(of: "boundary", in: contentType), !boundary.isEmpty, boundary.utf8.count <= 200 else {
            throw APIError.badRequest("multipart/form-data without a boundary parameter")
        }
        let parser = MultipartParser(boundary: boundary)
        var parts: [FormPart] = []
        var headers: [(String, String)] = []
        var data = Data()
        var open = false
        parser.onHeader = { name, value in
            open = true
            headers.append((name, value))
        }
        parser.onBody = { buffer in
            open = true
            data.append(contentsOf: buffer.readableBytesView)
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        }
        var failure: APIError?
        parser.onPartComplete = {
            defer { headers = []; data = Data(); open = false }
            guard failure == nil else { return }
            let disposition = headers.first { $0.0.lowercased() == "content-disposition" }?.1
            guard let disposition, let name = HeaderParameters.value(of: "name", in: disposition), !name.isEmpty else {
                failure = .badRequest("a multipart part has no Content-Disposition field name")
                return
            }
            let filename = HeaderParameters.filename(in: disposition)
            let type = headers.first { $0.0.lowercased() == "content-type" }?.1
            parts.append(FormPart(name: name, filename: filename, contentType: type, body: data))
        }
        do {
            try parser.execute(body)
        } catch {
            throw APIError.badRequest("malformed multipart/form-data body")
        }
        if let failure { throw failure }
        guard !open, !parts.isEmpty || body.readableBytes == 0 else {
            throw APIError.badRequest("truncated multipart/form-data body (no closing boundary)")
        }
        return parts
    }
}

/// `key=value` parameters of header values such as `Content-Type: multipart/form-data; boundary=x` and
/// `Content-Disposition: form-data; name="a"; filename="x.jpg"` (RFC 7578, RFC 6266): quoted strings with
/// backslash escapes, and `filename*=UTF-8''…` (RFC 5987) preferred over `filename`.
enum HeaderParameters {
    /// The parameters after the first `;`, names lower-cased, in order.
    static func all(_ header: String) -> [(String, String)] {
        var out: [(String, String)] = []
        var chars = Substring(header)
        guard let semicolon = chars.firstIndex(of: ";") else { return [] }
        chars = chars[chars.index(after: semicolon)...]
        while !chars.isEmpty {
            chars = chars.drop { $0 == " " || $0 == "\t" || $0 == ";" }
            guard let eq = chars.firstIndex(of: "=") else { break }
            let key = chars[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            chars = chars[chars.index(after: eq)...].drop { $0 == " " || $0 == "\t" }
            var value = ""
            if chars.first == "\"" {
                chars = chars.dropFirst()
                var escaped = false
                while let c = chars.first {
                    chars = chars.dropFirst()
                    if escaped { value.append(c); escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { break } else { value.append(c) }
                }
                chars = chars.drop { $0 != ";" }
            } else {
                let end = chars.firstIndex(of: ";") ?? chars.endIndex
                value = chars[..<end].trimmingCharacters(in: .whitespaces)
                chars = chars[end...]
            }
            out.append((key, value))
        }
        return out
    }

    /// The value of parameter `name` (case-insensitive) in `header`.
    static func value(of name: String, in header: String) -> String? {
        all(header).first { $0.0 == name.lowercased() }?.1
    }

    /// The uploaded file's name, without any folder a client put in front of it (`C:\x\a.jpg` → `a.jpg`); nil when
    /// the part is not a file or the name is empty.
    static func filename(in disposition: String) -> String? {
        let params = all(disposition)
        var name: String?
        if let extended = params.first(where: { $0.0 == "filename*" })?.1, let quote = extended.range(of: "''") {
            name = String(extended[quote.upperBound...]).removingPercentEncoding
        }
        if name == nil { name = params.first { $0.0 == "filename" }?.1 }
        guard let name else { return nil }
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F })
        return clean.isEmpty ? nil : clean
    }
}
