import Foundation
import NIOCore

/// A JSON request body as a tree of values, decoded strictly by Foundation's `JSONDecoder` (so `true` is never a
/// number and `1` is never a string), with accessors that throw 400 naming the field and what it should have been.
indirect enum JSONInput: Decodable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONInput])
    case object([String: JSONInput])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONInput].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONInput].self)) }
    }

    /// The body as a JSON object, or 400 (empty body, not JSON, not an object).
    static func object(from body: ByteBuffer) throws -> [String: JSONInput] {
        guard body.readableBytes > 0 else { throw APIError.badRequest("the body is empty; expected a JSON object") }
        let value: JSONInput
        do {
            value = try JSONDecoder().decode(JSONInput.self, from: Data(body.readableBytesView))
        } catch {
            throw APIError.badRequest("the body is not valid JSON (\(Self.reason(error)))")
        }
        guard case .object(let o) = value else { throw APIError.badRequest("the body must be a JSON object, got \(value.kind)") }
        return o
    }

    /// What kind of value this is, for messages.
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// A string, else 400 naming `field`.
    func string(_ field: String) throws -> String {
        guard case .string(let s) = self else { throw APIError.badRequest("\(field): expected a string, got \(kind)") }
        return s
    }

    /// An array, else 400 naming `field`.
    func array(_ field: String) throws -> [JSONInput] {
        guard case .array(let a) = self else { throw APIError.badRequest("\(field): expected an array, got \(kind)") }
        return a
    }

    /// A boolean (`true`/`false`, or the strings "true"/"false"/"1"/"0"), else 400 naming `field`.
    func bool(_ field: String) throws -> Bool {
        switch self {
        case .bool(let b): return b
        case .string(let s): if let b = FormValue.bool(s) { return b }
        default: break
        }
        throw APIError.badRequest("\(field): expected true or false, got \(kind)")
    }

    /// An integer, else 400 naming `field`.
    func int(_ field: String) throws -> Int {
        guard case .number(let d) = self, d.rounded() == d, abs(d) < 1e15 else {
            throw APIError.badRequest("\(field): expected an integer, got \(kind)")
        }
        return Int(d)
    }

    /// An array of finite numbers as float32 (an embedding), else 400 naming `field`.
    func floats(_ field: String) throws -> [Float] {
        let items = try array(field)
        var out: [Float] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard case .number(let d) = item else { throw APIError.badRequest("\(field)[\(i)]: expected a number, got \(item.kind)") }
            let f = Float(d)
            guard f.isFinite else { throw APIError.badRequest("\(field)[\(i)]: \(d) is not a finite float32") }
            out.append(f)
        }
        return out
    }

    private static func reason(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }
}

/// Text values of form fields and query strings.
enum FormValue {
    /// "true"/"1"/"yes"/"on" → true, "false"/"0"/"no"/"off"/"" → false, anything else nil.
    static func bool(_ s: String) -> Bool? {
        switch s.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off", "": return false
        default: return nil
        }
    }
}
