import Foundation
import Prometheus

/// The server's metrics in a Prometheus registry owned by one application (never the process-wide MetricsSystem,
/// which can be bootstrapped only once: tests build many applications), exported at `GET /metrics` in the text
/// exposition format.
///
/// | metric | type | labels |
/// |---|---|---|
/// | `pairmatch_http_requests_total` | counter | `route` (the route's template, "NotFound"), `method`, `status` |
/// | `pairmatch_http_request_duration_seconds` | histogram | `route` |
/// | `pairmatch_faces_found_total` | counter | `route` |
/// | `pairmatch_inference_queue_depth` | gauge: jobs waiting for a worker | – |
/// | `pairmatch_inference_workers_busy` | gauge: jobs running | – |
/// | `pairmatch_inference_rejected_total` | counter | `reason` (busy, timeout) |
/// | `pairmatch_gallery_identities`, `pairmatch_gallery_embeddings` | gauges | – |
/// | `pairmatch_gallery_in_step` | gauge: 1 while the gallery follows its store, 0 while its database is unreachable | – |
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    private static var requests: MetricNameDescriptor { MetricNameDescriptor(namespace: "pairmatch", subsystem: "http", metricName: "requests", unitName: "total",
                                                       helpText: "HTTP requests by route, method and status.") }
    private static var duration: MetricNameDescriptor { MetricNameDescriptor(namespace: "pairmatch", subsystem: "http", metricName: "request_duration",
                                                       unitName: "seconds", helpText: "HTTP request latency by route, seconds.") }
    private static var faces: MetricNameDescriptor { MetricNameDescriptor(namespace: "pairmatch", metricName: "faces_found", unitName: "total",
                                                    helpText: "Faces found in request images, by route.") }
    private static var rejected: MetricNameDescriptor { MetricNameDescriptor(namespace: "pairmatch", subsystem: "inference", metricName: "rejected", unitName: "total",
                                                       helpText: "Inference jobs refused (queue full) or dropped (waited past the deadline).") }
    /// Latency buckets: 5 ms to 30 s.
    private static let buckets: [Duration] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30].map { .milliseconds(Int($0 * 1000)) }

    private let queueDepth: Gauge
    private let workersBusy: Gauge
    private let identities: Gauge
    private let embeddings: Gauge
    private let inStep: Gauge

    init() {
        queueDepth = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "pairmatch", subsystem: "inference", metricName: "queue_depth", unitName: "",
            helpText: "Inference jobs waiting for a worker."))
        workersBusy = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "pairmatch", subsystem: "inference", metricName: "workers_busy", unitName: "",
            helpText: "Inference workers running a job."))
        identities = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "pairmatch", subsystem: "gallery", metricName: "identities", unitName: "", helpText: "People enrolled in the gallery."))
        embeddings = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "pairmatch", subsystem: "gallery", metricName: "embeddings", unitName: "", helpText: "Embeddings stored in the gallery."))
        inStep = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "pairmatch", subsystem: "gallery", metricName: "in_step", unitName: "",
            helpText: "1 while the gallery follows its store, 0 while its database cannot be reached (reads answer from memory)."))
        for reason in ["busy", "timeout"] { _ = registry.makeCounter(descriptor: Self.rejected, labels: [("reason", reason)]) }
    }

    /// One finished request: its route template, method, status code and duration.
    func request(route: String, method: String, status: Int, duration: Duration, faces: Int) {
        registry.makeCounter(descriptor: Self.requests, labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: Self.duration, labels: [("route", route)], buckets: Self.buckets).record(duration)
        if faces > 0 { registry.makeCounter(descriptor: Self.faces, labels: [("route", route)]).increment(by: Int64(faces)) }
    }

    /// The pool's counts changed.
    func pool(waiting: Int, running: Int) {
        queueDepth.set(Double(waiting))
        workersBusy.set(Double(running))
    }

    /// A job was refused or dropped (`reason`: busy, timeout).
    func rejected(_ reason: String) {
        registry.makeCounter(descriptor: Self.rejected, labels: [("reason", reason)]).increment()
    }

    /// The gallery's size now, and whether it follows its store.
    func gallery(identities: Int, embeddings: Int, inStep: Bool) {
        self.identities.set(Double(identities))
        self.embeddings.set(Double(embeddings))
        self.inStep.set(inStep ? 1.0 : 0.0)
    }

    /// The exposition text.
    func text() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
