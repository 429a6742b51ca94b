// swift-tools-version:6.1
// pairmatch: a face pair matcher (twin ResNet encoder + logistic head) on OpenBLAS and HDF5.
import PackageDescription

/// Release builds: AVX2/FMA code generation and no runtime checks on the hot paths. Debug builds of the
/// library modules are optimised too (with runtime checks kept), so the parity and pipeline tests on real
/// photos run in seconds rather than minutes.
let fastSwift: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-target-cpu", "haswell"], .when(configuration: .release)),
    .unsafeFlags(["-O", "-target-cpu", "haswell"], .when(configuration: .debug)),
]
let fastC: [CSetting] = [
    .unsafeFlags(["-O3", "-mavx2", "-mfma"], .when(configuration: .release)),
]

let package = Package(
    name: "pairmatch",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pairmatch", targets: ["pairmatch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/yaslab/CSV.swift", exact: "2.5.2"),
        // The HTTP server (`pairmatch serve`, module PairmatchServer).
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/vapor/multipart-kit", exact: "4.7.1"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        // The transactional SQLite gallery store (module GalleryStore).
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        // The PostgreSQL gallery store (module GalleryStore, `postgres://` locations).
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
    ],
    targets: [
        // MARK: C shims (static-inline wrappers only; one system library each)
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng16", providers: [.apt(["libpng-dev"])]),

        // MARK: Storage
        .target(name: "WeightStore", dependencies: ["CHDF5"], swiftSettings: fastSwift),
        .target(name: "ModelImport", dependencies: ["WeightStore"], swiftSettings: fastSwift),

        // MARK: Numerics and networks
        .target(name: "NetLayers", dependencies: ["COpenBLAS"], swiftSettings: fastSwift),
        .target(name: "FaceEmbedding", swiftSettings: fastSwift),
        .target(name: "PairNet", dependencies: ["NetLayers", "WeightStore", "FaceEmbedding", "LayerGraph"], swiftSettings: fastSwift),

        // MARK: Learning a similarity function (topology as data, training engine, class-folder data)
        .target(name: "LayerGraph", dependencies: ["NetLayers", "WeightStore"], swiftSettings: fastSwift),
        .target(name: "NetTraining", dependencies: ["LayerGraph", "NetLayers", "WeightStore", "SeededRandom", "COpenBLAS"], swiftSettings: fastSwift),
        .target(name: "ImageDataset", dependencies: ["ImageInput", "LayerGraph", "SeededRandom"], swiftSettings: fastSwift),

        // MARK: Photos to chips
        .target(name: "ImageInput", dependencies: ["CTurboJPEG", "CPNG"], swiftSettings: fastSwift),
        .target(name: "FaceDetection", dependencies: ["NetLayers", "WeightStore", "ImageInput"], swiftSettings: fastSwift),
        .target(name: "FaceAlignment", dependencies: ["WeightStore", "ImageInput", "PairNet"], swiftSettings: fastSwift),

        // MARK: Photo -> faces -> embeddings (the pipeline the jobs share)
        .target(name: "FaceAnalysis", dependencies: ["ImageInput", "FaceDetection", "FaceAlignment", "PairNet", "FaceEmbedding", "NetLayers", "WeightStore", "SeededRandom", "LayerGraph", "ImageDataset"], swiftSettings: fastSwift),

        // MARK: Deciding
        .target(name: "SeededRandom", swiftSettings: fastSwift),
        .target(name: "PairMetrics", dependencies: ["SeededRandom"], swiftSettings: fastSwift),
        .target(name: "LogisticHead", dependencies: ["WeightStore", "FaceEmbedding", "PairMetrics", "COpenBLAS"], swiftSettings: fastSwift),
        .target(name: "Gallery", dependencies: ["WeightStore", "FaceEmbedding", "LogisticHead", "SeededRandom", "NetLayers", "COpenBLAS"], swiftSettings: fastSwift),
        .target(name: "GalleryStore", dependencies: ["Gallery", "FaceEmbedding", "WeightStore", .product(name: "GRDB", package: "GRDB.swift"),
                                                .product(name: "PostgresNIO", package: "postgres-nio"),
                                                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                                                .product(name: "Logging", package: "swift-log")], swiftSettings: fastSwift),

        // MARK: Pairs files (CSV or LFW pairs lists) shared by score, train-head and eval
        .target(name: "PairsInput", dependencies: ["ImageInput", .product(name: "CSV", package: "CSV.swift")], swiftSettings: fastSwift),

        // MARK: Workflows the front ends share
        .target(name: "Workflows", dependencies: ["GalleryStore", "PairsInput", "FaceAnalysis", "FaceDetection", "FaceAlignment", "FaceEmbedding", "ImageInput", "PairNet", "LogisticHead", "Gallery", "ModelImport", "WeightStore"], swiftSettings: fastSwift),
        .target(name: "EncoderTraining", dependencies: ["NetTraining", "LayerGraph", "ImageDataset", "PairMetrics", "LogisticHead", "FaceEmbedding", "SeededRandom", "WeightStore"], swiftSettings: fastSwift),

        // MARK: The HTTP server (thin, like the CLI: routes over Workflows)
        .target(
            name: "PairmatchServer",
            dependencies: [
                "Workflows", "FaceEmbedding", "NetLayers",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),

        // MARK: The command-line tool (thin)
        .executableTarget(
            name: "pairmatch",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "CSV", package: "CSV.swift"),
                "WeightStore", "ModelImport", "PairsInput", "FaceAnalysis", "FaceDetection", "FaceAlignment", "PairNet",
                "FaceEmbedding", "ImageInput", "LogisticHead", "PairMetrics", "NetLayers", "Gallery",
                "LayerGraph", "NetTraining", "ImageDataset", "EncoderTraining", "Workflows", "GalleryStore",
                "PairmatchServer",
            ],
            swiftSettings: fastSwift
        ),

        // MARK: Tests (mirror Sources/)
        .target(name: "TestSupport", dependencies: ["ModelImport", "ImageInput", "SeededRandom", "NetLayers"], path: "Tests/TestSupport"),
        .testTarget(name: "WeightStoreTests", dependencies: ["WeightStore", "TestSupport"]),
        .testTarget(name: "ModelImportTests", dependencies: ["ModelImport", "WeightStore", "TestSupport"]),
        .testTarget(name: "NetLayersTests", dependencies: ["NetLayers", "SeededRandom", "TestSupport"]),
        .testTarget(name: "LayerGraphTests", dependencies: ["LayerGraph", "NetLayers", "WeightStore", "TestSupport"]),
        .testTarget(name: "NetTrainingTests", dependencies: ["NetTraining", "LayerGraph", "NetLayers", "WeightStore", "SeededRandom", "LogisticHead", "FaceEmbedding", "TestSupport"]),
        .testTarget(name: "ImageDatasetTests", dependencies: ["ImageDataset", "ImageInput", "LayerGraph", "SeededRandom", "TestSupport"]),
        .testTarget(name: "EncoderTrainingTests", dependencies: ["EncoderTraining", "LogisticHead", "NetTraining", "LayerGraph", "ImageDataset", "ImageInput", "WeightStore", "FaceAnalysis", "FaceDetection", "FaceAlignment", "PairNet", "TestSupport"]),
        .testTarget(name: "PairNetTests", dependencies: ["PairNet", "ImageInput", "TestSupport"]),
        .testTarget(name: "ImageInputTests", dependencies: ["ImageInput", "TestSupport"]),
        .testTarget(name: "FaceDetectionTests", dependencies: ["FaceDetection", "ImageInput", "NetLayers", "SeededRandom", "TestSupport"]),
        .testTarget(name: "FaceAlignmentTests", dependencies: ["FaceAlignment", "FaceDetection", "ImageInput", "PairNet", "TestSupport"]),
        .testTarget(name: "FaceAnalysisTests", dependencies: ["FaceAnalysis", "FaceEmbedding", "ImageInput", "TestSupport"]),
        .testTarget(name: "PairMetricsTests", dependencies: ["PairMetrics", "SeededRandom"]),
        .testTarget(name: "SeededRandomTests", dependencies: ["SeededRandom"]),
        .testTarget(name: "LogisticHeadTests", dependencies: ["LogisticHead", "WeightStore", "FaceEmbedding", "TestSupport"]),
        .testTarget(name: "GalleryTests", dependencies: ["Gallery", "LogisticHead", "FaceEmbedding", "SeededRandom", "TestSupport"]),
        .testTarget(name: "GalleryStoreTests", dependencies: ["GalleryStore", "Gallery", "FaceEmbedding", "WeightStore", "SeededRandom", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOPosix", package: "swift-nio")]),
        .testTarget(name: "PairsInputTests", dependencies: ["PairsInput", "TestSupport"]),
        .testTarget(name: "WorkflowsTests", dependencies: ["Workflows", "GalleryStore", "FaceAnalysis", "FaceEmbedding", "Gallery", "ImageInput", "LogisticHead", "TestSupport"]),
        .testTarget(name: "PairmatchServerTests", dependencies: [
            "PairmatchServer", "Workflows", "GalleryStore", "ImageInput", "FaceEmbedding", "TestSupport", .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "pairmatchTests", dependencies: ["pairmatch", "TestSupport", "WeightStore"]),
    ]
)
