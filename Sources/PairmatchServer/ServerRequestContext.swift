import Foundation
import Hummingbird
import Logging

/// What a request did, filled in by the handler and read by the request middleware for the log line and the metrics:
/// request body bytes and faces found. Shared by every copy of the request's context (a reference).
final class RequestStats: @unchecked Sendable {
    private let lock = NSLock()
    private var _bytesIn = 0, _facesFound = 0   // guarded by lock

    /// Request body bytes read.
    var bytesIn: Int { lock.withLock { _bytesIn } }
    /// Faces the request's images held (detected faces, the faces compared or enrolled).
    var facesFound: Int { lock.withLock { _facesFound } }

    func addBytesIn(_ n: Int) { lock.withLock { _bytesIn += n } }
    func addFaces(_ n: Int) { lock.withLock { _facesFound += n } }
}

/// The request context of every route: Hummingbird's core context and the request's `RequestStats`.
struct ServerRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let stats = RequestStats()

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
