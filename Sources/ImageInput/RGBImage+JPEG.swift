import CTurboJPEG
import Foundation

extension RGBImage {
    /// This image encoded as a baseline JPEG (TurboJPEG `tjCompress2`, 4:2:0 chroma subsampling).
    /// - Parameter quality: 1…100 (clamped); 90 by default.
    /// - Throws: `ImageInputError.writeFailed` (file "JPEG encoder") with TurboJPEG's message.
    public func jpegData(quality: Int = 90) throws -> Data {
        guard let handle = tjInitCompress() else {
            throw ImageInputError.writeFailed(file: "JPEG encoder", reason: "cannot create a TurboJPEG compressor")
        }
        defer { tjDestroy(handle) }
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let rc = pixels.withUnsafeBufferPointer {
            tjCompress2(handle, $0.baseAddress, Int32(width), 0, Int32(height), pm_tjpf_rgb(), &out, &size,
                        pm_tjsamp_420(), Int32(min(100, max(1, quality))), 0)
        }
        defer { if out != nil { tjFree(out) } }
        guard rc == 0, let bytes = out, size > 0 else {
            throw ImageInputError.writeFailed(file: "JPEG encoder", reason: String(cString: tjGetErrorStr2(handle)))
        }
        return Data(bytes: bytes, count: Int(size))
    }
}
