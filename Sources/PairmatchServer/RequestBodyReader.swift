import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Reads a request body into memory within the body limit: a `Content-Length` over the limit is refused before a
/// byte is read, and the bytes that arrive are counted as they stream in (a chunked body, or one longer than its
/// `Content-Length` says, is refused as soon as it passes the limit). Both refusals are 413 `too_large`.
enum RequestBodyReader {
    /// The whole body of `request`, at most `limit` bytes. `stats` gets the byte count.
    static func read(_ request: Request, limit: Int, stats: RequestStats? = nil) async throws -> ByteBuffer {
        try checkDeclaredLength(request.headers, limit: limit)
        return try await collect(request.body, limit: limit, stats: stats)
    }

    /// Throws 413 when `Content-Length` is over `limit`, 400 when it is not a number.
    static func checkDeclaredLength(_ headers: HTTPFields, limit: Int) throws {
        guard let value = headers[.contentLength] else { return }
        guard let length = Int(value.trimmingCharacters(in: .whitespaces)), length >= 0 else {
            throw APIError.badRequest("Content-Length is not a byte count: \(value.prefix(40))")
        }
        if length > limit { throw APIError.tooLarge(tooLargeMessage(limit: limit, length: length)) }
    }

    /// Collects `body` (any sequence of buffers), throwing 413 once more than `limit` bytes have arrived.
    static func collect<Body: AsyncSequence>(_ body: Body, limit: Int, stats: RequestStats? = nil) async throws -> ByteBuffer
    where Body.Element == ByteBuffer {
        var collected = ByteBuffer()
        var count = 0
        for try await chunk in body {
            count += chunk.readableBytes
            stats?.addBytesIn(chunk.readableBytes)
            guard count <= limit else { throw APIError.tooLarge(tooLargeMessage(limit: limit, length: nil)) }
            var chunk = chunk
            collected.writeBuffer(&chunk)
        }
        return collected
    }

    static func tooLargeMessage(limit: Int, length: Int?) -> String {
        let got = length.map { "the body is \($0) bytes" } ?? "the body is larger"
        return "\(got); the limit is \(limit) bytes (--max-body-bytes)"
    }
}
