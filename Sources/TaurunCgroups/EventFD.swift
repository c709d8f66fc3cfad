#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

import CLinux

/// eventfd(2) through the CLinux shim (sys/eventfd.h is not in the Glibc module map).
enum EventFD {
    /// A new eventfd with close-on-exec, or -1 with errno set.
    static func make() -> Int32 { tr_eventfd_cloexec(0) }
}
