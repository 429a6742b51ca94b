import ArgumentParser
import Foundation
import Gallery

/// `--gallery FILE`: the HDF5 gallery of enrolled people.
struct GalleryOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Gallery file (HDF5), created by the first enroll.", valueName: "file.h5"))
    var gallery: String

    var url: URL { URL(fileURLWithPath: gallery) }

    /// The existing gallery, checked against the encoder's fingerprint and embedding size (nil: no check); missing
    /// or bad files exit 3.
    func load(encoder fingerprint: String?, dimension: Int? = nil) throws -> FaceGallery {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CommandFailure.model("\(gallery): no such gallery; create it with 'pairmatch enroll --gallery \(gallery) --name NAME PHOTO'")
        }
        do { return try FaceGallery.load(from: url, expectingEncoder: fingerprint, dimension: dimension) } catch { throw CommandFailure.model(error) }
    }
}
