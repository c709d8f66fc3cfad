// Reads a whole (small) file through the package's file layer: errors read like Go's
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
        do {
            return try FileIO<FileCallFailure>.readFile(path, limit: maximumSize)
        } catch {
            if error.call == "read" && error.errno == EFBIG {
                throw SpecError(file: path, jsonPath: "", message: "file larger than \(maximumSize) bytes")
            }
            // No file prefix: the message already names the path, as runc's does.
            throw SpecError(file: "", jsonPath: "", message: "\(error.call) \(path): \(errnoTextLowercased(error.errno))")
        }
    }

    /// The failed call, turned into a SpecError above.
    struct FileCallFailure: FileCallError {
        let call: String
        let errno: Int32

        init(call: String, path: String, errno: Int32) {
            self.call = call
            self.errno = errno
        }
    }
}
