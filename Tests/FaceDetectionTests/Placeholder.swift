import XCTest

// Placeholder until the FaceDetection tests land.
final class FaceDetectionPlaceholderTests: XCTestCase {}
