/// A cursor over the bytes of a dlib `.dat` file, decoding dlib's primitive encodings
/// (DLIB_FORMAT.md §1): sign-magnitude integers, mantissa/exponent floats, '0'/'1' bools, length-prefixed
/// strings, matrices with negated dimensions and raw float32 tensors. Every failure is a `DlibFormatError`
/// naming the file and the offset.
struct DlibStream {
    let bytes: [UInt8]
    let file: String
    private(set) var offset = 0

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    var atEnd: Bool { offset == bytes.count }

    func error(_ reason: String, at position: Int? = nil) -> DlibFormatError {
        DlibFormatError(file: file, offset: position ?? offset, reason: reason)
    }

    mutating func byte() throws -> UInt8 {
        guard offset < bytes.count else { throw error("unexpected end of file") }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// An integer: control byte (bit 7 = negative, bits 0–3 = magnitude length 1…8), then the magnitude
    /// little-endian.
    mutating func int() throws -> Int {
        let start = offset
        let control = try byte()
        let n = Int(control & 0x0F)
        guard n >= 1, n <= 8, control & 0x70 == 0 else {
            throw error("bad integer control byte 0x\(String(control, radix: 16))", at: start)
        }
        guard offset + n <= bytes.count else { throw error("unexpected end of file inside an integer", at: start) }
        var magnitude: UInt64 = 0
        for i in 0..<n { magnitude |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += n
        guard magnitude <= UInt64(Int64.max) else { throw error("integer out of range", at: start) }
        return control & 0x80 != 0 ? -Int(magnitude) : Int(magnitude)
    }

    /// A non-negative integer bounded by `limit` (counts and sizes), so corrupt data cannot ask for huge
    /// allocations.
    mutating func count(_ what: String, limit: Int = 1 << 28) throws -> Int {
        let start = offset
        let v = try int()
        guard v >= 0, v <= limit else { throw error("implausible \(what) \(v)", at: start) }
        return v
    }

    /// A float or double: mantissa (int64) then exponent (int16), value = mantissa · 2^exponent.
    mutating func real() throws -> Double {
        let start = offset
        guard offset < bytes.count else { throw error("unexpected end of file") }
        guard bytes[offset] & 0x70 == 0 else { throw error("unsupported legacy ASCII float", at: start) }
        let mantissa = try int()
        let exponent = try int()
        switch exponent {
        case 32000: return .infinity
        case 32001: return -.infinity
        case 32002: return .nan
        default:
            guard abs(exponent) < 2000 else { throw error("float exponent \(exponent) out of range", at: start) }
            return Double(mantissa) * Double(sign: .plus, exponent: exponent, significand: 1)
        }
    }

    mutating func bool() throws -> Bool {
        let start = offset
        switch try byte() {
        case 0x31: return true
        case 0x30: return false
        case let b: throw error("bad bool byte 0x\(String(b, radix: 16))", at: start)
        }
    }

    mutating func string(limit: Int = 1 << 16) throws -> String {
        let n = try count("string length", limit: limit)
        guard offset + n <= bytes.count else { throw error("unexpected end of file inside a string") }
        defer { offset += n }
        return String(decoding: bytes[offset..<offset + n], as: UTF8.self)
    }

    /// Reads a string without consuming it (nil when the bytes do not form one).
    func peekString() -> String? {
        var copy = self
        return try? copy.string(limit: 256)
    }

    /// A dlib `resizable_tensor`: version 2, then num_samples, k, nr, nc, then raw little-endian float32.
    /// Returns the 4-d shape and the values (NCHW order).
    mutating func tensor() throws -> (shape: [Int], values: [Float]) {
        let start = offset
        let version = try int()
        guard version == 2 else { throw error("tensor version \(version), expected 2", at: start) }
        let shape = try (0..<4).map { _ in try count("tensor extent") }
        let n = shape.reduce(1, *)
        guard n <= (bytes.count - offset) / 4 else {
            throw error("unexpected end of file reading a tensor of \(n) floats", at: start)
        }
        var values = [Float](repeating: 0, count: n)
        bytes.withUnsafeBytes { raw in
            values.withUnsafeMutableBytes { dst in
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset..<offset + 4 * n]))
            }
        }
        #if _endian(big)
        values = values.map { Float(bitPattern: $0.bitPattern.byteSwapped) }
        #endif
        offset += 4 * n
        return (shape, values)
    }

    /// A dlib `alias_tensor` (shape only): version 1 then 4 extents.
    mutating func aliasTensor() throws -> [Int] {
        let start = offset
        let version = try int()
        guard version == 1 else { throw error("alias_tensor version \(version), expected 1", at: start) }
        return try (0..<4).map { _ in try count("alias_tensor extent") }
    }

    /// A `dlib::matrix<float>`: nr, nc (negated in the current format), then nr·nc floats row-major.
    mutating func realMatrix() throws -> (rows: Int, cols: Int, values: [Float]) {
        let start = offset
        let nr = abs(try int()), nc = abs(try int())
        guard nr <= 1 << 20, nc <= 1 << 20, nr * nc <= 1 << 24 else { throw error("implausible matrix size \(nr)×\(nc)", at: start) }
        var values = [Float](repeating: 0, count: nr * nc)
        for i in 0..<values.count { values[i] = Float(try real()) }
        return (nr, nc, values)
    }
}
