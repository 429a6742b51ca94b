import ArgumentParser
import Foundation
import GalleryStore

/// `pairmatch gallery migrate --gallery LOCATION`: creates a PostgreSQL gallery's tables in an empty database, or
/// upgrades older ones, and prints the schema version; HDF5 files and SQLite databases have nothing to migrate.
struct GalleryMigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Create or upgrade a PostgreSQL gallery's tables (nothing to do for HDF5 and SQLite).",
        discussion: "The database must exist (createdb); it must be empty or already hold pairmatch's tables: another application's database, or tables of a newer pairmatch, are refused and left untouched (exit 3). Runs in one transaction; safe to run again (it then changes nothing) and while other pairmatch processes use the gallery. Prints 'schema version N' (with what was done).")
    @OptionGroup var galleryOptions: GalleryOptions
    @OptionGroup var lockOptions: LockOptions

    func run() throws {
        let store = try galleryOptions.store(lockWait: lockOptions.wait)
        let migration: GalleryMigration?
        do { migration = try store.migrate() } catch { throw GalleryOptions.failure(error) }
        guard let migration else {
            print("\(galleryOptions.gallery): \(store.kind.displayName) gallery, nothing to migrate")
            return
        }
        switch migration.from {
        case 0: print("\(galleryOptions.gallery): created the tables; schema version \(migration.to)")
        case migration.to: print("\(galleryOptions.gallery): schema version \(migration.to), up to date")
        default: print("\(galleryOptions.gallery): upgraded from schema version \(migration.from); schema version \(migration.to)")
        }
    }
}
