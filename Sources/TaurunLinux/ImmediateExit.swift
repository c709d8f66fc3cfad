#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension Processes {
    /// _exit(2): ends the process now, with no atexit handlers and no stdio flush. For a child forked or cloned from
    /// taurun, which shares its parent's buffers and handlers: running them would act twice on the parent's behalf.
    public static func exitImmediately(_ status: Int32) -> Never { _exit(status) }
}
