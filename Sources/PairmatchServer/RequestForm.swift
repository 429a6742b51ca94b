import Foundation
import HTTPTypes
import NIOCore
import Workflows

/// The fields of a request that carries images, whichever way it came:
/// - `multipart/form-data`: a part per field; an image part's file name becomes the image's name in answers and
///   messages ("b (x.jpg): no face found");
/// - `application/json`: an object with the same keys, each image a base64 string (strictly decoded; a
///   `data:image/…;base64,` prefix is allowed) or `{"data": BASE64, "name": "x.jpg"}`; several images (enrolment)
///   under a plural key as an array.
/// Any other content type is 415. A missing field is 400 naming it; so is invalid base64.
struct RequestForm: Sendable {
    enum Encoding: Sendable { case multipart, json }
    let encoding: Encoding
    private var parts: [FormPart] = []
    private var object: [String: JSONInput] = [:]

    /// The form of `body` by its `Content-Type`.
    static func parse(_ body: ByteBuffer, contentType: String?) throws -> RequestForm {
        switch ContentKind(contentType) {
        case .multipart: return RequestForm(encoding: .multipart, parts: try MultipartForm.parts(body, contentType: contentType!))
        case .json: return RequestForm(encoding: .json, object: try JSONInput.object(from: body))
        case .missing:
            throw APIError.unsupportedMediaType("no Content-Type; send multipart/form-data or application/json")
        case .other(let type):
            throw APIError.unsupportedMediaType("Content-Type \(type.prefix(80)) is not supported here; send multipart/form-data or application/json")
        }
    }

    private init(encoding: Encoding, parts: [FormPart] = [], object: [String: JSONInput] = [:]) {
        self.encoding = encoding
        self.parts = parts
        self.object = object
    }

    /// The one image of `field`; 400 when it is missing (or given more than once).
    func image(_ field: String) throws -> ImageSource {
        switch encoding {
        case .multipart:
            let found = parts.filter { $0.name == field }
            guard let part = found.first else { throw APIError.missingField(field, "image part") }
            guard found.count == 1 else { throw APIError.badRequest("\(field): expected one image part, got \(found.count)") }
            return try Self.source(part)
        case .json:
            guard let value = object[field], !Self.isNull(value) else { throw APIError.missingField(field, "image field") }
            return try Self.source(value, field: field)
        }
    }

    /// One or more images: the parts named `part` (multipart), or the array under `key` (JSON; a single image under
    /// `part` is accepted too). 400 when there is none.
    func images(part: String, key: String) throws -> [ImageSource] {
        switch encoding {
        case .multipart:
            let found = parts.filter { $0.name == part || $0.name == key }
            guard !found.isEmpty else { throw APIError.missingField(part, "image part") }
            return try found.map(Self.source)
        case .json:
            if let value = object[key], !Self.isNull(value) {
                let items = try value.array(key)
                guard !items.isEmpty else { throw APIError.badRequest("\(key): expected at least one image") }
                return try items.enumerated().map { i, item in try Self.source(item, field: "\(key)[\(i)]") }
            }
            if let value = object[part], !Self.isNull(value) { return [try Self.source(value, field: part)] }
            throw APIError.missingField(key, "image field")
        }
    }

    /// The text of `field`, nil when absent.
    func text(_ field: String) throws -> String? {
        switch encoding {
        case .multipart:
            guard let part = parts.first(where: { $0.name == field }) else { return nil }
            guard let s = String(data: part.body, encoding: .utf8) else { throw APIError.badRequest("\(field): not UTF-8 text") }
            return s
        case .json:
            guard let value = object[field], !Self.isNull(value) else { return nil }
            return try value.string(field)
        }
    }

    /// The text of `field`; 400 naming it when absent.
    func requiredText(_ field: String) throws -> String {
        guard let s = try text(field) else { throw APIError.missingField(field) }
        return s
    }

    /// The boolean of `field` ("true"/"false"/"1"/"0" in a form, a JSON boolean), nil when absent.
    func bool(_ field: String) throws -> Bool? {
        switch encoding {
        case .multipart:
            guard let s = try text(field) else { return nil }
            guard let b = FormValue.bool(s) else { throw APIError.badRequest("\(field): expected true or false, got \(s.prefix(20))") }
            return b
        case .json:
            guard let value = object[field], !Self.isNull(value) else { return nil }
            return try value.bool(field)
        }
    }

    // MARK: Images

    private static func isNull(_ v: JSONInput) -> Bool { if case .null = v { return true }; return false }

    private static func source(_ part: FormPart) throws -> ImageSource {
        guard !part.body.isEmpty else { throw APIError.badRequest("\(part.name): the image part is empty") }
        return .upload(field: part.name, name: part.filename, bytes: part.body)
    }

    private static func source(_ value: JSONInput, field: String) throws -> ImageSource {
        switch value {
        case .string(let s):
            return .upload(field: field, name: nil, bytes: try decodeBase64(s, field: field))
        case .object(let o):
            guard let data = o["data"] else { throw APIError.missingField("\(field).data") }
            let name = try o["name"].flatMap { isNull($0) ? nil : try $0.string("\(field).name") }
            return .upload(field: field, name: name.flatMap { $0.isEmpty ? nil : $0 },
                           bytes: try decodeBase64(try data.string("\(field).data"), field: field))
        default:
            throw APIError.badRequest("\(field): expected a base64 string or {\"data\", \"name\"}, got \(value.kind)")
        }
    }

    /// Strict base64 (RFC 4648 alphabet, padding required, no whitespace), after an optional `data:…;base64,` prefix.
    static func decodeBase64(_ text: String, field: String) throws -> Data {
        var s = Substring(text)
        if s.hasPrefix("data:") {
            guard let comma = s.firstIndex(of: ","), s[..<comma].hasSuffix(";base64") else {
                throw APIError.badRequest("\(field): a data URL must be base64 (data:TYPE;base64,…)")
            }
            s = s[s.index(after: comma)...]
        }
        guard !s.isEmpty else { throw APIError.badRequest("\(field): the image is empty") }
        let bytes = Array(s.utf8)
        let padding = bytes.reversed().prefix { $0 == 61 }.count       // "=" only at the end, at most two
        guard bytes.count % 4 == 0, padding <= 2, bytes.dropLast(padding).allSatisfy(Self.isBase64Byte),
              let data = Data(base64Encoded: String(s)) else {
            throw APIError.badRequest("\(field): invalid base64")
        }
        return data
    }

    private static func isBase64Byte(_ b: UInt8) -> Bool {
        (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b == 43 || b == 47
    }
}

/// The kinds of request body the API reads, from a `Content-Type` value.
enum ContentKind: Equatable {
    case multipart, json, missing
    case other(String)

    init(_ contentType: String?) {
        guard let contentType, !contentType.trimmingCharacters(in: .whitespaces).isEmpty else { self = .missing; return }
        let type = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch type {
        case "multipart/form-data": self = .multipart
        case "application/json": self = .json
        default: self = type.hasSuffix("+json") ? .json : .other(type)
        }
    }
}
