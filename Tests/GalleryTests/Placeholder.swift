import XCTest

// Placeholder until the Gallery tests land.
final class GalleryPlaceholderTests: XCTestCase {}
