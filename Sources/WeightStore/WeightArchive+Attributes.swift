/// Typed attribute accessors: each throws `.missingAttribute` or `.attributeType` naming the file.
extension WeightArchive {
    public func string(_ name: String, on path: String = "/") throws -> String {
        guard case .string(let s) = try attribute(name, on: path) else { throw typeError(name, path, "a string") }
        return s
    }

    public func integer(_ name: String, on path: String = "/") throws -> Int {
        guard case .integer(let v) = try attribute(name, on: path) else { throw typeError(name, path, "an integer") }
        return Int(v)
    }

    /// A float attribute; an integer attribute is accepted and converted.
    public func float(_ name: String, on path: String = "/") throws -> Double {
        switch try attribute(name, on: path) {
        case .float(let v): return v
        case .integer(let v): return Double(v)
        default: throw typeError(name, path, "a number")
        }
    }

    public func integers(_ name: String, on path: String = "/") throws -> [Int] {
        switch try attribute(name, on: path) {
        case .integers(let v): return v.map { Int($0) }
        case .integer(let v): return [Int(v)]
        default: throw typeError(name, path, "an integer array")
        }
    }

    public func floats(_ name: String, on path: String = "/") throws -> [Double] {
        switch try attribute(name, on: path) {
        case .floats(let v): return v
        case .float(let v): return [v]
        case .integers(let v): return v.map(Double.init)
        default: throw typeError(name, path, "a float array")
        }
    }

    private func typeError(_ name: String, _ path: String, _ expected: String) -> WeightStoreError {
        .attributeType(path: fileName, object: Self.normalise(path), name: name, expected: expected)
    }
}
