import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// The pid and time namespaces a container joins by path, joined by `create` only for the clone of its init (exec
/// joins them in its setup child, never in taurun itself). setns(2) of these two applies to the caller's future children, so staying joined would make every
/// later child of taurun (prestart/createRuntime hooks, the security monitor) a process the container can see,
/// signal and ptrace. `leave` rejoins taurun's own namespaces, saved before joining.
struct ChildNamespaces {
    private var saved: [(kind: NamespaceKind, fd: Int32)] = []

    /// Joins `joins` for children; nothing to do (and nothing saved) when there are none.
    static func enter(_ joins: [(kind: NamespaceKind, path: String)]) throws(SyscallError) -> ChildNamespaces {
        var entered = ChildNamespaces()
        for join in joins {
            let own = try Files.open("/proc/self/ns/" + (join.kind == .pid ? "pid_for_children" : "time_for_children"), O_RDONLY)
            entered.saved.append((join.kind, own))
            do {
                let fd = try Files.open(join.path, O_RDONLY)
                defer { Files.close(fd) }
                try Namespaces.join(fd: fd, kind: join.kind, path: join.path)
            } catch {
                entered.leave()
                throw error
            }
        }
        return entered
    }

    /// Back to taurun's own namespaces for children. Called in the parent only, after the clone.
    func leave() {
        for (kind, fd) in saved.reversed() {
            _ = try? Namespaces.join(fd: fd, kind: kind, path: "/proc/self/ns/" + kind.procName)
            Files.close(fd)
        }
    }
}
