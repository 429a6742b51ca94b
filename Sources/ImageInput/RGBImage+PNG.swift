import CPNG
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension RGBImage {
    /// This image encoded as an 8-bit RGB PNG (libpng simplified API, default compression).
    /// - Throws: `ImageInputError.writeFailed` (file "PNG encoder") with libpng's message.
    public func pngData() throws -> Data {
        var image = png_image()
        image.version = pm_png_image_version()
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = pm_png_format_rgb()
        var size = 0
        let ok = pixels.withUnsafeBytes { src -> Int32 in
            // First call: size only (memory nil); second call: encode into a buffer of that size.
            guard png_image_write_to_memory(&image, nil, &size, 0, src.baseAddress, 0, nil) != 0 else { return 0 }
            return 1
        }
        guard ok != 0, size > 0 else {
            throw ImageInputError.writeFailed(file: "PNG encoder", reason: pngMessage(&image))
        }
        var data = Data(count: size)
        let ok2 = data.withUnsafeMutableBytes { dst in
            pixels.withUnsafeBytes { src in
                png_image_write_to_memory(&image, dst.baseAddress, &size, 0, src.baseAddress, 0, nil)
            }
        }
        guard ok2 != 0 else { throw ImageInputError.writeFailed(file: "PNG encoder", reason: pngMessage(&image)) }
        data.count = size
        return data
    }

    /// Writes this image as a PNG file at `url`, atomically: a temporary file in the same folder is written,
    /// fsynced and renamed over `url`, so readers see the old file or the complete new one, never a partial one.
    /// - Throws: `ImageInputError.writeFailed` naming `url.relativePath`.
    public func write(png url: URL) throws {
        let data = try pngData()
        try AtomicWrite.write(data, to: url)
    }
}

/// Atomic replacement of a file (temp file in the same folder, fsync, rename, fsync of the folder).
/// ImageInput keeps its own copy because it sits below WeightStore (`AtomicFile`) in the module graph.
enum AtomicWrite {
    static func write(_ data: Data, to url: URL) throws {
        let name = url.relativePath
        let folder = url.deletingLastPathComponent().path
        let temp = folder + "/." + url.lastPathComponent + ".tmp-" + UUID().uuidString
        func fail(_ what: String) -> ImageInputError {
            .writeFailed(file: name, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw fail("create temporary file") }
        var committed = false
        defer { if !committed { unlink(temp) } }
        var ok = data.withUnsafeBytes { buf -> Bool in
            var done = 0
            while done < buf.count {
                let n = posixWrite(fd, buf.baseAddress! + done, buf.count - done)
                if n < 0 { if errno == EINTR { continue }; return false }
                done += n
            }
            return true
        }
        if !ok { let e = fail("write"); close(fd); throw e }
        ok = fsync(fd) == 0
        if !ok { let e = fail("fsync"); close(fd); throw e }
        guard close(fd) == 0 else { throw fail("close") }
        guard rename(temp, url.path) == 0 else { throw fail("rename") }
        committed = true
        let dir = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 { _ = fsync(dir); close(dir) }   // best effort: persist the rename
    }
}

/// POSIX `write(2)` (the name is shadowed by `RGBImage.write(png:)` inside the extension's scope).
@inline(__always)
private func posixWrite(_ fd: Int32, _ buf: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, buf, count)
    #else
    return Darwin.write(fd, buf, count)
    #endif
}
