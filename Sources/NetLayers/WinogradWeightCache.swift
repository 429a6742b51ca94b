import Synchronization

/// The packed Winograd weights of one layer, per output tile side m, made on first use and kept: a layer packs
/// only the forms its planes use (a 3×3 layer on 2×2 planes none, on 35×35 planes only F(4×4, 3×3)). Shared by
/// copies of the layer; a layer whose weights change gets a new cache.
final class WinogradWeightCache: Sendable {
    /// m → `[α²]` of `[O, I]`.
    private let packed = Mutex<[Int: [PackedMatrix]]>([:])

    /// The matrices for side m, made by `make` on the first call. `make` runs outside the lock: two first callers
    /// racing may both make them (the same values); the first stored is kept and returned to both.
    func products(outputSide m: Int, make: () -> [PackedMatrix]) -> [PackedMatrix] {
        if let found = packed.withLock({ $0[m] }) { return found }
        let made = make()
        return packed.withLock { table in
            if let found = table[m] { return found }
            table[m] = made
            return made
        }
    }

    /// The sides made so far, ascending.
    var outputSides: [Int] { packed.withLock { $0.keys.sorted() } }
}
