import ArgumentParser
import FaceAnalysis
import FaceEmbedding
import Foundation
import Gallery
import GalleryStore

/// `pairmatch enroll`: add people to a gallery from one photo each (or more).
struct EnrollCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Enrol people into a gallery: --name NAME PHOTO..., or --from-folders DIR (one sub-folder per person).",
        discussion: "Each photo's largest face is enrolled (a warning names photos with several faces). Every photo's embedding is kept (none are averaged); an identity matches by its closest embedding. Photos that fail are reported and skipped (exit 1). An HDF5 gallery is written atomically once, at the end, and 'enrolled' lines are printed only once it is; an SQLite gallery (people.db) or a PostgreSQL one (postgres://USER@HOST:PORT/DATABASE) commits each person in one transaction as soon as their photos are embedded and prints that person's line after the commit, so a killed run keeps every person it reported. Names are stored in Unicode NFC and must not be empty or only whitespace; with --from-folders, sub-folders whose names are not valid are reported (one line each) before any work and skipped, the others are enrolled (exit 1). An HDF5 gallery is locked for the whole run: another writer waits up to --wait seconds, else exit 2 (an SQLite or PostgreSQL gallery lets writers take turns per person)."
    )

    @OptionGroup var galleryOptions: GalleryOptions
    @OptionGroup var lockOptions: LockOptions

    @Option(help: ArgumentHelp("The person's name.", valueName: "name")) var name: String?

    @Option(name: .customLong("from-folders"), help: ArgumentHelp("Folder with one sub-folder of photos per person (the sub-folder's name is the person's).", valueName: "dir"))
    var fromFolders: String?

    @Option(help: ArgumentHelp("Free-form text stored with the identity (e.g. JSON).", valueName: "text")) var metadata: String?

    @Flag(help: "Replace the person's stored embeddings instead of adding to them.") var replace = false

    @Argument(help: ArgumentHelp("Photos of the person (with --name).", valueName: "photo")) var photos: [String] = []

    @OptionGroup var face: FaceOptions
    @OptionGroup var encoderOptions: EncoderOptions
    @OptionGroup var models: ModelOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        switch (name, fromFolders) {
        case (.some, nil): if photos.isEmpty { throw ValidationError("--name needs at least one photo") }
        case (nil, .some): if !photos.isEmpty { throw ValidationError("--from-folders takes no photo arguments") }
        default: throw ValidationError("give either --name NAME PHOTO... or --from-folders DIR")
        }
    }

    func run() throws {
        let (people, skippedFolders) = try enrolments()
        let store = try galleryOptions.store(lockWait: lockOptions.wait)
        try OutputSafety.check(files: [galleryOptions.path], inputs: people.flatMap(\.photos).map(\.path)
                                + [encoderOptions.file] + models.inputPaths(head: true))
        // HDF5: the store's read-modify-write holds the gallery's lock (FileLock) from its load to its save; another
        // writer holding it now is reported before any photo is embedded. SQLite: each person is one transaction;
        // other writers take turns between them.
        if store.kind == .hdf5 { try lockOptions.lock(galleryOptions.url).release() }
        let analyzer = try models.analyzer(face, encoder: encoderOptions)
        let encoder = analyzer.encoder!
        if store.exists() {   // refuse another encoder's gallery before embedding anything
            do { _ = try store.load(expectingEncoder: encoder.fingerprint, dimension: encoder.embeddingDimension) } catch {
                throw GalleryOptions.failure(error)
            }
        }
        let writer = EnrolmentWriter(store: store, encoder: encoder, replace: replace, metadata: metadata,
                                     singleName: name != nil)
        let batch = BatchEmbedder(analyzer: analyzer, options: face.analysis(), threads: runtime.resolvedThreads, choice: face.choice())
        let urls = people.flatMap(\.photos)
        // Photos complete in input order; a person is handed to the writer as soon as their last photo is embedded, so
        // an SQLite gallery commits (and reports) each person while the next ones are still being embedded.
        var personIndex = 0, photoIndex = 0, embeddings: [Embedding] = []
        var failures = 0
        var storeError: Error?
        _ = batch.run(urls) { _, outcome in
            guard storeError == nil else { return }
            let person = people[personIndex]
            switch outcome {
            case .success(let f):
                if f.facesFound > 1 { Console.warn("\(person.photos[photoIndex].path): \(f.facesFound) faces found; enrolling the \(face.choice() == .largest ? "largest" : "first by --pick \(face.choice().rawValue)")") }
                embeddings.append(f.embedding)
            case .failure(let e):
                failures += 1
                Console.error(e.message)
            }
            photoIndex += 1
            guard photoIndex == person.photos.count else { return }
            if embeddings.isEmpty { Console.error("\(person.name): not enrolled (no usable photo)") } else {
                do { try writer.add(name: person.name, embeddings: embeddings) } catch { storeError = error }
            }
            personIndex += 1
            photoIndex = 0
            embeddings = []
        }
        if let storeError { throw Self.failure(storeError) }
        do { try writer.finish() } catch { throw Self.failure(error) }
        if writer.enrolled > 0 {
            let totals = try? writer.totals()
            print("\(galleryOptions.gallery): \(totals?.people ?? 0) people, \(totals?.embeddings ?? 0) embeddings")
        }
        if let refusal = writer.firstRefusal, name != nil { throw CommandFailure.badInput(refusal) }
        if writer.enrolled == 0 { throw CommandFailure.badInput("nothing enrolled; \(galleryOptions.gallery) unchanged") }
        let problems = [failures > 0 ? "\(failures) photo(s) could not be enrolled" : nil,
                        writer.refused > 0 ? "\(writer.refused) person(s) refused by the gallery" : nil,
                        skippedFolders > 0 ? "\(skippedFolders) sub-folder(s) skipped for their names" : nil].compactMap { $0 }
        if !problems.isEmpty { throw CommandFailure.partial(problems.joined(separator: "; ")) }
    }

    private static func failure(_ error: Error) -> CommandFailure { GalleryOptions.failure(error) }

    /// The people to enrol with their photos, names in NFC, checked before any work: a bad `--name` is exit 2; with
    /// `--from-folders`, each sub-folder with a bad name is reported in one line and skipped (counted in `skipped`),
    /// and sub-folders whose names are the same once normalised are one person.
    private func enrolments() throws -> (people: [(name: String, photos: [URL])], skipped: Int) {
        if let name {
            do { return ([(try FaceGallery.normalizedName(name), photos.map { URL(fileURLWithPath: $0) })], 0) } catch {
                throw CommandFailure.badInput(error)
            }
        }
        let root = URL(fileURLWithPath: fromFolders!)
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(at: root, includingPropertiesForKeys: [.isDirectoryKey]) else {
            throw CommandFailure.badInput("\(root.path): not a readable folder")
        }
        var people: [(String, [URL])] = []
        var skipped = 0
        for dir in entries.sorted(by: { $0.lastPathComponent < $1.lastPathComponent })
            where (try? dir.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true && !dir.lastPathComponent.hasPrefix(".") {
            let files = ((try? fm.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? [])
                .filter { !$0.lastPathComponent.hasPrefix(".") && (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) != true }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
            guard !files.isEmpty else { continue }
            let name: String
            do { name = try FaceGallery.normalizedName(dir.lastPathComponent) } catch {
                Console.error("\(root.path): sub-folder skipped: \(error)")   // the error names it, escaped
                skipped += 1
                continue
            }
            if let i = people.firstIndex(where: { $0.0 == name }) { people[i].1 += files } else { people.append((name, files)) }
        }
        guard !people.isEmpty else {
            throw CommandFailure.badInput("\(root.path): no sub-folders with photos\(skipped > 0 ? " and a valid name" : "")")
        }
        return (people, skipped)
    }
}
