import ArgumentParser
import Foundation
import Gallery

/// `pairmatch bench gallery --size N`: a synthetic gallery of N random unit vectors: file size, load time,
/// single-query latency and per-query time in batches of 256, on 1 and 2 threads (medians).
struct BenchGalleryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gallery",
        abstract: "Time 1:N search on a synthetic gallery of N identities."
    )

    @Option(help: ArgumentHelp("Identities in the synthetic gallery.", valueName: "n")) var size = 100_000
    @Flag(help: "Print JSON: {\"size\", \"file_bytes\", \"load_ms\", \"single_query_ms\", \"batched_query_ms\", \"threads\"} per thread count.")
    var json = false

    func validate() throws { if size < 1 { throw ValidationError("--size must be at least 1") } }

    func run() throws {
        let reports: [GalleryBenchmark.Report]
        do {
            reports = try GalleryBenchmark.run(size: size, progress: json ? nil : { Console.warn($0) })
        } catch { throw CommandFailure.model(error) }
        if json {
            print(try GalleryBenchmark.json(reports))
        } else {
            for r in reports { print(r.summary) }
        }
    }
}
