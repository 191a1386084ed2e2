// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Ghurbal",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Ghurbal", targets: ["Ghurbal"]),
        .executable(name: "ghurbal", targets: ["ghurbal"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Debian's libxxhash-dev (xxHash 0.8), wrapped as a system library.
        .systemLibrary(
            name: "CXXHash",
            pkgConfig: "libxxhash",
            providers: [.apt(["libxxhash-dev"])]
        ),
        // zlib from Debian's zlib1g-dev, for reading .gz inputs (a stream of any length).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // libdeflate from Debian's libdeflate-dev, for compressing the members of .gz outputs (whole buffers: about
        // three times zlib's speed at the same size).
        .systemLibrary(
            name: "CLibdeflate",
            pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"])]
        ),
        // The MinHash fold, compiled for AVX-512, AVX2 and the baseline with the best picked at load time.
        .target(name: "CGhurbalKernels"),
        .target(
            name: "Ghurbal",
            dependencies: ["CXXHash", "CGhurbalKernels", "CZlib", "CLibdeflate"]
        ),
        .executableTarget(
            name: "ghurbal",
            dependencies: [
                "Ghurbal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "GhurbalTests",
            dependencies: ["Ghurbal", "CXXHash"]
        ),
        .executableTarget(
            name: "NormalizerBenchmark",
            dependencies: [
                "Ghurbal",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/NormalizerBenchmark",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SketchBenchmark",
            dependencies: [
                "Ghurbal",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/SketchBenchmark",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "CorpusLoops",
            dependencies: ["Ghurbal"],
            path: "Benchmarks/Tools/CorpusLoops"
        ),
        .executableTarget(
            name: "HotLoop",
            dependencies: ["Ghurbal", "CXXHash"],
            path: "Benchmarks/Tools/HotLoop"
        ),
        .executableTarget(
            name: "DedupEvaluation",
            dependencies: ["Ghurbal"],
            path: "Benchmarks/Tools/DedupEvaluation"
        ),
    ],
    swiftLanguageModes: [.v6]
)
