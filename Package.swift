// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "robustfit",
  products: [
    // Three libraries, so that a package asking for the regression gets neither the CSV reader nor the
    // SVG plotter (the CLI uses all three).
    .library(name: "RobustRegression", targets: ["RobustRegression"]),
    .library(name: "TabularIO", targets: ["TabularIO"]),
    .library(name: "SVGPlot", targets: ["SVGPlot"]),
    .executable(name: "robustfit", targets: ["robustfit"]),
    // The C ABI of the distributed fit (librobustfit_c.so), loaded by the PySpark package in spark/.
    .library(name: "robustfit_c", type: .dynamic, targets: ["RobustfitC"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    // `swift package generate-documentation` (`make docs`). A fresh `swift build` resolves it and compiles
    // the plugin (about 13 s here); its tool and SymbolKit are built only when the plugin runs.
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
  ],
  targets: [
    // LAPACKE + CBLAS (OpenBLAS) as a system library; see Sources/CLapack/shim.h.
    .systemLibrary(
      name: "CLapack",
      pkgConfig: nil,
      providers: [.apt(["liblapacke-dev", "libopenblas-dev"])]
    ),
    // The weighted Gram kernel of the IRLS pass, AVX2/FMA chosen at run time (Sources/CKernels).
    .target(name: "CKernels"),
    // Losses, linear algebra, IRLS, the adaptive fit, inference.
    .target(
      name: "RobustRegression",
      dependencies: [
        "CLapack", "CKernels",
        .product(name: "RealModule", package: "swift-numerics"),
      ]
    ),
    // @_cdecl functions over the library's distributed fit (Docs/scaling.md).
    .target(name: "RobustfitC", dependencies: ["RobustRegression"]),
    // The number scanner's SSE2 digit kernel, a header that Swift inlines (Sources/CDigits).
    .target(name: "CDigits"),
    // CSV reading into column storage, with a correctly rounded number parser.
    .target(name: "TabularIO", dependencies: ["CDigits"]),
    // SVG figures: scatter plots, fitted lines, curves.
    .target(name: "SVGPlot"),
    .executableTarget(
      name: "robustfit",
      dependencies: [
        "RobustRegression", "TabularIO", "SVGPlot",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // On-demand benchmark: `swift run -c release robustfit-bench` (Docs/performance.md).
    .executableTarget(
      name: "robustfit-bench",
      dependencies: ["RobustRegression", "CLapack", "TabularIO"]
    ),
    .testTarget(
      name: "RobustRegressionTests",
      dependencies: ["RobustRegression"]
    ),
    // Every Swift example of README.md, Docs/*.md and the DocC catalog, compiled and run against the
    // public API (no @testable), and a check that the pages still quote the tests' code.
    .testTarget(name: "DocumentationExampleTests", dependencies: ["RobustRegression"]),
    .testTarget(name: "TabularIOTests", dependencies: ["TabularIO"]),
    .testTarget(name: "SVGPlotTests", dependencies: ["SVGPlot"]),
    .testTarget(
      name: "robustfitTests",
      dependencies: ["robustfit", "RobustRegression"],
      exclude: ["Snapshots"]
    ),
  ]
)
