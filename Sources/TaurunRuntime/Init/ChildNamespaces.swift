import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// The pid and time namespaces of a container, joined by taurun only for the clone of the process that enters the
/// container. setns(2) of these two applies to the caller's future children, so staying joined would make every
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
                defer { close(fd) }
                try Namespaces.join(fd: fd, kind: join.kind, path: join.path)
            } catch {
                entered.leave()
                throw error
            }
        }
        return entered
    }

    /// The same for namespace fds the caller already holds (exec: opened on the container's init).
    static func enter(handles: [NamespaceHandle]) throws(SyscallError) -> ChildNamespaces {
        var entered = ChildNamespaces()
        for ns in handles where ns.kind == .pid || ns.kind == .time {
            let own = try Files.open("/proc/self/ns/" + (ns.kind == .pid ? "pid_for_children" : "time_for_children"), O_RDONLY)
            entered.saved.append((ns.kind, own))
            do { try Namespaces.join(fd: ns.fd, kind: ns.kind, path: ns.path) } catch {
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
            close(fd)
        }
    }
}
