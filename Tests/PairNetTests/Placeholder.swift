import XCTest

// Placeholder until the PairNet tests land.
final class PairNetPlaceholderTests: XCTestCase {}
