import XCTest

// Placeholder until the LogisticHead tests land.
final class LogisticHeadPlaceholderTests: XCTestCase {}
