import Foundation
import TestSupport
import XCTest
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A `pairmatch serve` child process on a free loopback port, for end-to-end tests, and a small HTTP client.
final class ServeProcess: @unchecked Sendable {   // immutable after init but for the locked stderr text
    let process: Process
    let url: String
    private let stderrText = LockedText()

    /// Starts `pairmatch serve --host 127.0.0.1 --port 0 args…` and waits (≤ 120 s) for its "listening on" line.
    init(_ args: [String], environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = CLIRunner.binary
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0"] + args
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let handle = err.fileHandleForReading
        let deadline = Date().addingTimeInterval(120)
        var found: String?
        while Date() < deadline, found == nil {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            stderrText.append(String(decoding: chunk, as: UTF8.self))
            let text = stderrText.value
            if let r = text.range(of: "pairmatch: listening on "), let end = text[r.upperBound...].firstIndex(of: "\n") {
                found = String(text[r.upperBound..<end]).trimmingCharacters(in: .whitespaces)
            }
        }
        guard let found else {
            process.terminate()
            throw NSError(domain: "ServeProcess", code: 1, userInfo: [NSLocalizedDescriptionKey: "serve did not start: \(stderrText.value)"])
        }
        url = found
        let text = stderrText
        DispatchQueue.global().async {
            while true {
                let d = handle.availableData
                if d.isEmpty { return }
                text.append(String(decoding: d, as: UTF8.self))
            }
        }
    }

    /// Everything the server wrote to stderr so far.
    var stderr: String { stderrText.value }

    /// SIGTERM, then the exit status (waits up to 30 s, then SIGKILL and returns -1).
    @discardableResult
    func stop() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit(); return -1 }
        return process.terminationStatus
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    /// A multipart/form-data body of `parts` (name, file name or nil for a text part, bytes) and its content type.
    static func multipart(_ parts: [(String, String?, Data)]) -> (body: Data, contentType: String) {
        let boundary = "pairmatch-test-\(UUID().uuidString)"
        var body = Data()
        for (name, file, bytes) in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\""
            if let file { head += "; filename=\"\(file)\"\r\nContent-Type: application/octet-stream" }
            body += Data((head + "\r\n\r\n").utf8) + bytes + Data("\r\n".utf8)
        }
        body += Data("--\(boundary)--\r\n".utf8)
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    /// One HTTP request to this server; returns the status, the body and the response headers (names lowercased).
    func request(_ method: String, _ path: String, body: Data? = nil, contentType: String? = nil,
                 headers: [String: String] = [:]) throws -> (status: Int, body: Data, headers: [String: String]) {
        try Self.request(method, url + path, body: body, contentType: contentType, headers: headers)
    }

    /// The port of this server (from its URL).
    var port: Int { Int(url.split(separator: ":").last!)! }

    /// One HTTP request to `url` (any server: the balancer too).
    static func request(_ method: String, _ url: String, body: Data? = nil, contentType: String? = nil,
                        headers: [String: String] = [:]) throws -> (status: Int, body: Data, headers: [String: String]) {
        var r = URLRequest(url: URL(string: url)!)
        r.httpMethod = method
        r.httpBody = body
        r.timeoutInterval = 60
        if let contentType { r.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        for (k, v) in headers { r.setValue(v, forHTTPHeaderField: k) }
        let done = DispatchSemaphore(value: 0)
        let result = LockedResult()
        URLSession.shared.dataTask(with: r) { data, response, error in
            var fields = [String: String]()
            for (k, v) in (response as? HTTPURLResponse)?.allHeaderFields ?? [:] { fields["\(k)".lowercased()] = "\(v)" }
            result.set(data, (response as? HTTPURLResponse)?.statusCode, error, fields)
            done.signal()
        }.resume()
        done.wait()
        let (data, status, error, fields) = result.get()
        if let error { throw error }
        return (status ?? 0, data ?? Data(), fields)
    }

    /// The body as a JSON object.
    static func object(_ data: Data) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], String(decoding: data, as: UTF8.self))
    }
}

final class LockedText: @unchecked Sendable {
    private var text = ""
    private let lock = NSLock()
    func append(_ s: String) { lock.lock(); text += s; lock.unlock() }
    var value: String { lock.lock(); defer { lock.unlock() }; return text }
}

final class LockedResult: @unchecked Sendable {
    private var value: (Data?, Int?, Error?, [String: String]) = (nil, nil, nil, [:])
    private let lock = NSLock()
    func set(_ d: Data?, _ s: Int?, _ e: Error?, _ h: [String: String]) { lock.lock(); value = (d, s, e, h); lock.unlock() }
    func get() -> (Data?, Int?, Error?, [String: String]) { lock.lock(); defer { lock.unlock() }; return value }
}
