#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What `print` wrote and the C library still holds: stdout is fully buffered on a pipe or a file, and exit flushes
/// it. A command that keeps running (`taurun audit --follow`) flushes it itself so its reader sees each line.
public enum BufferedOutput {
    /// fflush(3) of every stdio stream (naming `stdout` is not concurrency-safe in Swift 6).
    public static func flush() { fflush(nil) }
}
