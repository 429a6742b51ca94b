import XCTest

// Placeholder until the ImageInput tests land.
final class ImageInputPlaceholderTests: XCTestCase {}
