#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension Processes {
    /// fork(2) through the C library: 0 in the child, the child's pid in the parent; `what` names the child in the
    /// error. For a child that runs on as taurun code and never execs (the security monitor): unlike a raw clone
    /// (Namespaces.clone), the C library's fork runs the atfork handlers and leaves the child's malloc and thread
    /// state consistent, which a child that allocates and locks for as long as it lives needs. The child ends with
    /// `exitImmediately`.
    public static func fork(_ what: String) throws(SyscallError) -> pid_t {
        try sys("fork", what) { Glibc.fork() }
    }
}
