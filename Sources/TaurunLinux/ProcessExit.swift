#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How a process of taurun's ends: taurun itself through exit(3), a child of it through _exit(2).
extension Processes {
    /// exit(3): ends taurun with `status` after the atexit handlers and a flush of the stdio buffers, so what `print`
    /// wrote reaches its reader. For the taurun command itself, never a child that shares its buffers.
    public static func exit(_ status: Int32) -> Never { Glibc.exit(status) }

    /// _exit(2): ends the process now, with no atexit handlers and no stdio flush. For a child forked or cloned from
    /// taurun, which shares its parent's buffers and handlers: running them would act twice on the parent's behalf.
    public static func exitImmediately(_ status: Int32) -> Never { _exit(status) }
}
