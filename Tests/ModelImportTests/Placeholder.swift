import XCTest

// Placeholder until the ModelImport tests land.
final class ModelImportPlaceholderTests: XCTestCase {}
