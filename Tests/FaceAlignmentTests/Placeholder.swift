import XCTest

// Placeholder until the FaceAlignment tests land.
final class FaceAlignmentPlaceholderTests: XCTestCase {}
