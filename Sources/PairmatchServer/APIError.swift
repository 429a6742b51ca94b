import Foundation
import HTTPTypes
import Hummingbird
import Workflows

/// A refusal or failure as the API answers it: a status, a stable `code` and one line naming the input and the cause,
/// sent as `{"error": {"code", "message"}}` with any extra headers (`Retry-After`, `WWW-Authenticate`, `Allow`).
/// Bad input is always a 4xx; 500 is only for the server's own faults (models, gallery store).
struct APIError: Error, CustomStringConvertible, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var headers: HTTPFields = [:]

    var description: String { "\(status.code) \(code): \(message)" }

    /// The body: `{"error": {"code", "message"}}`.
    var json: JSONValue { .object([("error", .object([("code", .string(code)), ("message", .string(message))]))]) }

    /// A workflow's failure, by its kind (`WorkflowError.httpStatus`, `.code`).
    /// A 503 (the gallery's database unreachable) says when to retry.
    init(_ error: WorkflowError) {
        var headers = HTTPFields()
        if error.httpStatus == 503 { headers[.retryAfter] = "1" }
        self.init(status: HTTPResponse.Status(code: error.httpStatus), code: error.code, message: error.message, headers: headers)
    }

    init(status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    // MARK: The refusals the server makes itself

    /// 400: a malformed request (bad JSON, a missing or bad field, a bad query value).
    static func badRequest(_ message: String) -> APIError { APIError(status: .badRequest, code: "bad_request", message: message) }

    /// 400 naming a missing field.
    static func missingField(_ field: String, _ what: String = "field") -> APIError {
        badRequest("missing \(what) '\(field)'")
    }

    /// 401 with `WWW-Authenticate: Bearer`.
    static func unauthorized(_ message: String) -> APIError {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = "Bearer realm=\"pairmatch\""
        return APIError(status: .unauthorized, code: "unauthorized", message: message, headers: headers)
    }

    /// 404 for a path no route serves.
    static func notFound(_ path: String) -> APIError { APIError(status: .notFound, code: "not_found", message: "\(path): no such route") }

    /// 405 with `Allow` listing the methods the path serves.
    static func methodNotAllowed(_ method: HTTPRequest.Method, _ path: String, allowed: [HTTPRequest.Method]) -> APIError {
        var headers = HTTPFields()
        headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
        return APIError(status: .methodNotAllowed, code: "method_not_allowed",
                        message: "\(path): \(method.rawValue) is not allowed (allowed: \(allowed.map(\.rawValue).joined(separator: ", ")))",
                        headers: headers)
    }

    /// 413 for a body over the limit.
    static func tooLarge(_ message: String) -> APIError { APIError(status: .contentTooLarge, code: "too_large", message: message) }

    /// 415 for a content type the route does not read.
    static func unsupportedMediaType(_ message: String) -> APIError {
        APIError(status: .unsupportedMediaType, code: "unsupported_media_type", message: message)
    }

    /// 503 with `Retry-After: 1`: every worker is busy and the queue is full, or a job waited past the deadline.
    static func busy(_ message: String) -> APIError {
        var headers = HTTPFields()
        headers[.retryAfter] = "1"
        return APIError(status: .serviceUnavailable, code: "busy", message: message, headers: headers)
    }

    /// 503 while the models or the gallery are not loaded (or the server is shutting down).
    static func notReady(_ message: String) -> APIError {
        var headers = HTTPFields()
        headers[.retryAfter] = "1"
        return APIError(status: .serviceUnavailable, code: "not_ready", message: message, headers: headers)
    }

    /// 500: a fault of the server itself (never caused by a request's content).
    static func internalError(_ message: String) -> APIError {
        APIError(status: .internalServerError, code: "internal_error", message: message)
    }

    /// Any error as the API answers it: `APIError` as is, `WorkflowError` by its kind, Hummingbird's own HTTP errors by
    /// their status, anything else a 500.
    static func from(_ error: Error) -> APIError {
        switch error {
        case let e as APIError: return e
        case let e as WorkflowError: return APIError(e)
        case let e as InferencePool.Refusal: return e.apiError
        case let e as HTTPError:
            return APIError(status: e.status, code: Self.code(for: e.status), message: e.body ?? e.status.reasonPhrase, headers: e.headers)
        case let e as any HTTPResponseError:
            return APIError(status: e.status, code: Self.code(for: e.status), message: e.status.reasonPhrase)
        default:
            return .internalError("\(error)")
        }
    }

    /// The code of a plain status (errors raised by Hummingbird itself).
    static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: return "bad_request"
        case 401: return "unauthorized"
        case 404: return "not_found"
        case 405: return "method_not_allowed"
        case 413: return "too_large"
        case 415: return "unsupported_media_type"
        case 503: return "busy"
        case 500...599: return "internal_error"
        default: return "error"
        }
    }
}
