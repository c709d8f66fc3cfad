// Reads a whole (small) file with plain syscalls: the module stays free of Foundation, and errors read like Go's
// (`open /b/config.json: no such file or directory`), which is what runc prints and what Podman matches on.

import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

enum FileBytes {
    /// A config with a large seccomp profile is ~100 KiB; anything near this is not a config.
    static let maximumSize = 32 << 20

    static func read(path: String) throws(SpecError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("open", path, errno) }
        defer { close(fd) }

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                systemRead(fd, buffer.baseAddress, buffer.count)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw ioError("read", path, errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maximumSize {
                throw SpecError(file: path, jsonPath: "", message: "file larger than \(maximumSize) bytes")
            }
        }
    }

    /// Go's spelling of an errno: strerror with a lower-case first letter ("no such file or directory").
    static func goStyleDescription(_ code: Int32) -> String { errnoTextLowercased(code) }

    private static func ioError(_ call: String, _ path: String, _ code: Int32) -> SpecError {
        // No file prefix: the message already names the path, as runc's does.
        SpecError(file: "", jsonPath: "", message: "\(call) \(path): \(goStyleDescription(code))")
    }
}

/// `read(2)`, named apart from the `read(path:)` above so overload resolution is unambiguous on Glibc and Musl alike.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
