// libFuzzer target for the config.json decoder and validator (issue 9): built by `make fuzz` with
// `swiftc -sanitize=fuzzer,address`, linked with the TaurunOCI and TaurunSupport modules.
// Any input that crashes, traps or hangs is a bug: copy it to Fuzz/regressions/config/ and fix the decoder.

import TaurunOCI

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let spec = try? Spec.decode(bytes) {
        _ = spec.validationErrors()
        _ = try? Spec.decode(spec.encodedJSON())
    }
    if let process = try? Process.decode(bytes) { _ = process.validationErrors() }
    _ = try? State.decode(bytes)
    return 0
}
