import Testing
@testable import TauSandbox

#if canImport(Glibc)
import Glibc
#endif

/// Inputs `make fuzz` found crashing the manifest readers stay here as tests: each must be a clean E_MANIFEST error.
@Suite struct FuzzRegressionTests {
    /// toml++ 3.3 asserted (abort) on a table header broken by a newline.
    @Test(arguments: ["a = 1\n[\nb]\nc = 2\n", "[\n", "[[\nx]]\n", "id = \"org.x.y\"\n[\npermissions]\nnetwork = true\n"])
    func tomlHeaderSplitByNewlineIsASyntaxError(_ text: String) {
        #expect(throws: SandboxError.self) {
            try ManifestLoader.parse(bytes: Array(text.utf8), format: .tauToml, path: "/fuzz/tau.toml")
        }
    }

    @Test func everyKeptCrashInputIsRejectedCleanly() throws {
        let dir = String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
        let regressions = "/" + dir + "/Fuzz/regressions/manifest"
        guard let handle = opendir(regressions) else { Issue.record("no \(regressions)"); return }
        defer { closedir(handle) }
        var checked = 0
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
            guard !name.hasPrefix("."), !name.hasSuffix(".md") else { continue }
            let fd = open(regressions + "/" + name, O_RDONLY)
            guard fd >= 0 else { continue }
            var bytes: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = read(fd, &buf, buf.count)
                if n <= 0 { break }
                bytes += buf[0..<n]
            }
            close(fd)
            for format in [ManifestFormat.tauToml, .tauAppJSON, .manifestTau] {
                _ = try? ManifestLoader.parse(bytes: bytes, format: format, path: "/fuzz/" + name)
            }
            checked += 1
        }
        #expect(checked > 0)
    }
}
