// swift-tools-version:6.0
// taurun: an OCI container runtime and the Tau OS app sandbox.
// Module arrows (one way; scripts/module-arrows.txt is the checked list): taurun -> TaurunRuntime, TauProvisioning, TauSandbox;
// TaurunRuntime -> TaurunCgroups, TaurunSeccomp, TaurunLinux, TaurunOCI, TaurunAudit; TaurunCgroups -> TaurunDBus,
// TaurunLinux, TaurunOCI; TaurunDBus -> TaurunLinux; TaurunSeccomp -> TaurunLinux, TaurunOCI, CSeccomp;
// TaurunLinux -> CLinux, CCap, SystemPackage; TauProvisioning -> TauSandbox, TaurunLinux;
// TauSandbox -> TaurunOCI, CTomlJSON, TaurunAudit; TaurunOCI, TaurunAudit -> TaurunSupport;
// every module -> TaurunSupport (the leaf utilities: the one JSON stack), which imports only stdlib + FoundationEssentials.
import PackageDescription

let package = Package(
    name: "taurun",
    products: [
        .executable(name: "taurun", targets: ["taurun"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // C leaves: one tr_-prefixed function per syscall Swift cannot call; no logic.
        .target(name: "CLinux"),
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        .systemLibrary(name: "CCap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),
        // toml++ (Debian libtomlplusplus-dev, header-only) behind a C function: TOML → JSON without Foundation.
        .target(name: "CTomlJSON"),

        .target(name: "TaurunSupport"),
        .target(name: "TaurunOCI", dependencies: ["TaurunSupport"]),
        .target(name: "TaurunAudit", dependencies: ["TaurunSupport"]),
        .target(name: "TaurunLinux", dependencies: [
            "TaurunSupport", "CLinux", "CCap", .product(name: "SystemPackage", package: "swift-system"),
        ]),
        .target(name: "TaurunDBus", dependencies: ["TaurunSupport", "TaurunLinux"]),
        .target(name: "TaurunCgroups", dependencies: ["TaurunSupport", "TaurunDBus", "TaurunLinux", "TaurunOCI"]),
        .target(name: "TaurunSeccomp", dependencies: ["TaurunSupport", "TaurunLinux", "TaurunOCI", "CSeccomp"]),
        .target(name: "TaurunRuntime", dependencies: [
            "TaurunSupport", "TaurunCgroups", "TaurunSeccomp", "TaurunLinux", "TaurunOCI", "TaurunAudit",
        ]),
        .target(name: "TauSandbox", dependencies: ["TaurunSupport", "TaurunOCI", "CTomlJSON", "TaurunAudit"]),
        // Writes what TauSandbox translates (bundle, state records, skeleton, home, quota image, AppArmor load, ACL
        // entries) and uninstalls it; TauSandbox itself writes nothing and starts no program.
        .target(name: "TauProvisioning", dependencies: ["TaurunSupport", "TauSandbox", "TaurunLinux"]),
        .executableTarget(name: "taurun", dependencies: [
            "TaurunSupport", "TaurunRuntime", "TauSandbox", "TauProvisioning", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "TaurunSupportTests", dependencies: ["TaurunSupport"]),
        .testTarget(name: "TaurunOCITests", dependencies: ["TaurunOCI", "TaurunSupport"]),
        .testTarget(name: "TaurunLinuxTests", dependencies: ["TaurunLinux"]),
        .testTarget(name: "TaurunDBusTests", dependencies: ["TaurunDBus"]),
        .testTarget(name: "TaurunCgroupsTests", dependencies: ["TaurunCgroups", "TaurunDBus", "TaurunLinux"]),
        .testTarget(name: "TaurunSeccompTests", dependencies: ["TaurunSeccomp"]),
        .testTarget(name: "TaurunRuntimeTests", dependencies: ["TaurunRuntime"]),
        .testTarget(name: "TaurunAuditTests", dependencies: ["TaurunAudit", "TaurunSupport"]),
        .testTarget(name: "TauSandboxTests", dependencies: ["TauSandbox", "TauProvisioning", "TaurunSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TauProvisioningTests", dependencies: ["TauProvisioning", "TauSandbox"]),
        // The CLI's own parse paths (RuncSpellingParse against ArgumentParser's).
        .testTarget(name: "TaurunCLITests", dependencies: ["taurun", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    ],
    cxxLanguageStandard: .cxx17
)
