import XCTest

// Placeholder until the pairmatch tests land.
final class pairmatchPlaceholderTests: XCTestCase {}
