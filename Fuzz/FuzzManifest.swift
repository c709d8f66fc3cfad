// libFuzzer target for the Tau manifest readers (issue 9): every byte string is parsed as tau.toml, tau-app.json and
// manifest.tau, and what parses is validated. Built by `make fuzz` (scripts/fuzz.sh) against TauSandbox.
import TauSandbox

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for format in [ManifestFormat.tauToml, .tauAppJSON, .manifestTau] {
        _ = try? ManifestLoader.parse(bytes: bytes, format: format, path: "/fuzz/manifest")
    }
    return 0
}
