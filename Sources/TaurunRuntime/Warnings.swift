import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// Non-fatal problems: one stderr line each, as runc's warnings.
public enum Warnings {
    nonisolated(unsafe) public static var sink: (String) -> Void = { message in
        writeStderr("taurun: warning: \(message)\n")
    }

    static func emit(_ message: String) { sink(message) }
}

/// One write(2) of `text` to fd 2, unbuffered: the warnings, `run`'s line saying why the monitor ended the app, and
/// the container's init, which after `ready` has no parent to report a failure to (InitStop.exit) and must hold no
/// stdio buffer across clone or exec.
func writeStderr(_ text: String) {
    _ = try? Files.writeOnce(fd: 2, Array(text.utf8), path: "stderr")
}
