#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One page of this process's memory mapped with no access (PROT_NONE): an address the kernel faults on (EFAULT)
/// when a system call copies its argument from there. For probing what a call checks before it copies (the seccomp
/// filter flags, SeccompSupport) without the call ever getting anything it could act on.
public enum UnreadablePage {
    /// Runs `body` with the page's address and unmaps the page again; nil when no page could be mapped.
    public static func withAddress<Result>(_ body: (UnsafeRawPointer) -> Result) -> Result? {
        let size = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard let page = mmap(nil, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), page != MAP_FAILED else {
            return nil
        }
        defer { munmap(page, size) }
        return body(page)
    }
}
