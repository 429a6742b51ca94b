import ArgumentParser
import Foundation
import Gallery
import GalleryStore

/// `pairmatch gallery list|remove|info|copy|migrate`.
struct GalleryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gallery",
        abstract: "List, inspect, edit, copy or migrate a gallery (HDF5 file, SQLite or PostgreSQL database).",
        subcommands: [GalleryListCommand.self, GalleryRemoveCommand.self, GalleryInfoCommand.self, GalleryCopyCommand.self,
                      GalleryMigrateCommand.self]
    )
}

struct GalleryListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the enrolled people.")
    @OptionGroup var galleryOptions: GalleryOptions

    func run() throws {
        for identity in try galleryOptions.load(encoder: nil).identities {
            print("\(identity.name)\t\(identity.embeddingCount) photo\(identity.embeddingCount == 1 ? "" : "s")" + (identity.metadata.map { "\t\($0)" } ?? ""))
        }
    }
}

struct GalleryRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a person from the gallery.",
                                                    discussion: "The gallery is locked while it is rewritten: another writer waits up to --wait seconds, else exit 2.")
    @OptionGroup var galleryOptions: GalleryOptions
    @OptionGroup var lockOptions: LockOptions
    @Argument(help: ArgumentHelp("The person to remove.", valueName: "name")) var name: String

    func run() throws {
        try OutputSafety.check(files: [galleryOptions.path], inputs: [])
        let store = try galleryOptions.store(lockWait: lockOptions.wait)
        guard store.exists() else { throw CommandFailure.model("\(galleryOptions.gallery): no such gallery") }
        let removed: Bool
        do { removed = try store.remove(name: name) } catch { throw GalleryOptions.failure(error) }
        guard removed else { throw CommandFailure.badInput("\(galleryOptions.gallery): no person named '\(name)'") }
        let left = try galleryOptions.load(encoder: nil).count
        print("removed \(name); \(left) people left")
    }
}

struct GalleryInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show the gallery's size, encoder and dates.")
    @OptionGroup var galleryOptions: GalleryOptions

    func run() throws {
        let g = try galleryOptions.load(encoder: nil)
        let iso = ISO8601DateFormatter()
        print("gallery: \(galleryOptions.gallery) (\(GalleryStores.kind(of: galleryOptions.gallery).displayName))")
        print("people: \(g.count)")
        print("embeddings: \(g.embeddingCount)")
        print("encoder: \(g.encoderFingerprint)")
        print("created: \(iso.string(from: g.created))")
        print("updated: \(iso.string(from: g.updated))")
    }
}

struct GalleryCopyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy", abstract: "Copy a gallery into a new one, between HDF5, SQLite and PostgreSQL any way.",
        discussion: "FROM and TO are gallery locations (people.h5, people.db, sqlite:PATH, postgres://USER@HOST:PORT/DATABASE). TO must not exist or be empty: a gallery is never replaced by mistake (a PostgreSQL database must exist: pairmatch creates its tables, not the database). Identities, their order, every embedding, metadata and the created/updated times are kept; TO is written in one transaction (SQLite, PostgreSQL) or one atomic file (HDF5), and read back and compared before the command reports success.")
    @Argument(help: ArgumentHelp("The gallery to copy.", valueName: "from")) var from: String
    @Argument(help: ArgumentHelp("The new gallery.", valueName: "to")) var to: String

    func run() throws {
        let source = GalleryOptions.at(from), target = GalleryOptions.at(to)
        try OutputSafety.check(files: [target.path], inputs: [source.path])
        let gallery = try source.load(encoder: nil)
        let store = try target.store()
        do { try store.importAll(gallery) } catch { throw GalleryOptions.failure(error) }
        let back = try target.load(encoder: gallery.encoderFingerprint, dimension: gallery.dimension)
        guard back.identities == gallery.identities, back.embeddingCount == gallery.embeddingCount else {
            throw CommandFailure.model("\(to): the copy does not read back equal to \(from)")
        }
        print("copied \(gallery.count) people, \(gallery.embeddingCount) embeddings from \(from) to \(to)")
    }
}

extension GalleryStoreKind {
    /// The store's name in messages: "HDF5", "SQLite", "PostgreSQL".
    var displayName: String {
        switch self {
        case .hdf5: return "HDF5"
        case .sqlite: return "SQLite"
        case .postgres: return "PostgreSQL"
        }
    }
}
