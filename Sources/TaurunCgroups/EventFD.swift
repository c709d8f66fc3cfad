#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// eventfd(2), which the Glibc module map does not export (sys/eventfd.h is not in it) and CLinux does not wrap
/// yet. Looked up once in the already-loaded libc; no library is loaded.
enum EventFD {
    private typealias Function = @convention(c) (UInt32, Int32) -> Int32
    /// EFD_CLOEXEC == O_CLOEXEC (include/uapi/linux/eventfd.h).
    private static let closeOnExec: Int32 = O_CLOEXEC

    /// A new eventfd with close-on-exec, or -1 with errno set.
    static func make() -> Int32 {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "eventfd") else {
            errno = ENOSYS
            return -1
        }
        let function = unsafeBitCast(symbol, to: Function.self)
        return function(0, closeOnExec)
    }
}
