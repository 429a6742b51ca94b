import ArgumentParser
import Foundation
import Gallery

/// `pairmatch gallery list|remove|info`.
struct GalleryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gallery",
        abstract: "List, inspect or edit a gallery.",
        subcommands: [GalleryListCommand.self, GalleryRemoveCommand.self, GalleryInfoCommand.self]
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
        try OutputSafety.check(files: [galleryOptions.gallery], inputs: [])
        let lock = try lockOptions.lock(galleryOptions.url)   // from load to save
        defer { lock.release() }
        var gallery = try galleryOptions.load(encoder: nil)
        guard gallery.remove(name: name) else { throw CommandFailure.badInput("\(galleryOptions.gallery): no person named '\(name)'") }
        do { try gallery.save(to: galleryOptions.url) } catch { throw CommandFailure.model(error) }
        print("removed \(name); \(gallery.count) people left")
    }
}

struct GalleryInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show the gallery's size, encoder and dates.")
    @OptionGroup var galleryOptions: GalleryOptions

    func run() throws {
        let g = try galleryOptions.load(encoder: nil)
        let iso = ISO8601DateFormatter()
        print("gallery: \(galleryOptions.gallery)")
        print("people: \(g.count)")
        print("embeddings: \(g.embeddingCount)")
        print("encoder: \(g.encoderFingerprint)")
        print("created: \(iso.string(from: g.created))")
        print("updated: \(iso.string(from: g.updated))")
    }
}
