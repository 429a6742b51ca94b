import ArgumentParser
import Foundation
import Gallery
import GalleryStore
import WeightStore

/// `--gallery LOCATION`: the gallery of enrolled people: an HDF5 file, an SQLite database (`.db`, `.sqlite`,
/// `.sqlite3`, or `sqlite:PATH`), or a PostgreSQL database (`postgres://USER@HOST:PORT/DATABASE`), all behind `GalleryStore`.
struct GalleryOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Gallery: an HDF5 file (people.h5), an SQLite database (people.db, sqlite:PATH), or a PostgreSQL database (postgres://USER@HOST:PORT/DATABASE, password in PGPASSWORD or a file named by PAIRMATCH_PGPASSFILE); created by the first enroll.",
                               valueName: "location"))
    var gallery: String

    /// Options naming `location` (for commands that take galleries as arguments).
    static func at(_ location: String) -> GalleryOptions {
        var options = GalleryOptions()
        options.gallery = location
        return options
    }

    /// The file the gallery lives in (the location without `sqlite:`), nil for a PostgreSQL gallery (no file: nothing
    /// for `OutputSafety` to check).
    var path: String? { GalleryStores.file(of: gallery) }
    var url: URL { URL(fileURLWithPath: path ?? gallery) }

    /// The store (nothing is touched on disk); a bad location exits 2.
    func store(lockWait: Double = 0) throws -> any GalleryStore {
        do { return try GalleryStores.open(gallery, lockWait: lockWait) } catch { throw CommandFailure.badInput(error) }
    }

    /// The existing gallery, checked against the encoder's fingerprint and embedding size (nil: no check); missing
    /// or bad stores exit 3.
    func load(encoder fingerprint: String?, dimension: Int? = nil) throws -> FaceGallery {
        let store = try store()
        guard store.exists() else {
            throw CommandFailure.model("\(gallery): no such gallery; create it with 'pairmatch enroll --gallery \(gallery) --name NAME PHOTO'")
        }
        do { return try store.load(expectingEncoder: fingerprint, dimension: dimension) } catch { throw CommandFailure.model(error) }
    }

    /// A store failure as the CLI reports it: another writer holding the gallery past `--wait` is exit 2 (as for
    /// every output another pairmatch is writing); anything else about the store is exit 3.
    static func failure(_ error: Error) -> CommandFailure {
        switch error {
        case is FileLockError: return .badInput(error)
        case let e as GalleryStoreError:
            switch e {
            case .busy, .notEmpty, .invalidLocation: return .badInput(error)
            default: break
            }
            return .model(error)
        default: return .model(error)
        }
    }
}
