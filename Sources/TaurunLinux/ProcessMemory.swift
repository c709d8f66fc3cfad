import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// Another process's memory, read with process_vm_readv(2): how the security monitor sees what a pointer argument of
/// a call parked by seccomp user notification points to (the path of an open, the address of a connect). One system
/// call per read and no descriptor to open and close, which matters because an app with asked devices has every
/// open read this way (docs/prompts.md, "What it costs").
///
/// The kernel allows it to a caller with ptrace access to the process (root, or the owner of the process's user
/// namespace, as a rootless monitor is), checked at each read. What is read belongs to the parked call only while
/// the notification is still pending: the caller checks that afterwards, because a dead caller's pid can be reused.
public struct ProcessMemory: Sendable {
    private let pid: pid_t

    /// Nothing is checked yet: a read of a process that is gone or may not be read gives nil.
    public init(pid: pid_t) {
        self.pid = pid
    }

    /// Up to `count` bytes at `address`; fewer when the range runs into unmapped memory, nil when nothing is readable.
    public func bytes(at address: UInt64, count: Int) -> [UInt8]? {
        guard count > 0, address > 0, address <= UInt64(Int64.max) else { return nil }
        var buffer = [UInt8](repeating: 0, count: count)
        let n = buffer.withUnsafeMutableBytes { tr_process_vm_read(pid, $0.baseAddress, count, address) }
        guard n > 0 else { return nil }
        return Array(buffer.prefix(n))
    }

    /// The NUL-terminated string at `address`, at most `limit` bytes (PATH_MAX by default), or nil when it is not
    /// readable or not terminated within the limit. Read a page at a time: a string may end just before a page that
    /// is not mapped, and one read across it would fail as a whole.
    public func string(at address: UInt64, limit: Int = 4096) -> String? {
        let page: UInt64 = 4096
        var collected: [UInt8] = []
        var next = address
        while collected.count < limit {
            let toPageEnd = Int(page - next % page)
            guard let chunk = bytes(at: next, count: min(toPageEnd, limit - collected.count)) else { return nil }
            if let end = chunk.firstIndex(of: 0) {
                collected += chunk[..<end]
                return String(decoding: collected, as: UTF8.self)
            }
            collected += chunk
            next += UInt64(chunk.count)
        }
        return nil
    }
}
