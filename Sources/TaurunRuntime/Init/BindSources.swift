import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// Bind sources (and in a user namespace the rootfs) the parent opens for the container's init, with the host's
/// credentials. In a user namespace the
/// init looks paths up as the container's root, an unprivileged id on the host: a source below a directory only
/// host root may enter (`/root/data`, `/home/alice/project`) would fail with EACCES, where runc and crun mount it.
enum BindSources {
    /// Before the clone: each id-mapped bind as a detached tree with its mapping set (the kernel maps only trees not
    /// yet attached, and only for a process privileged over the mapping's user namespace: this one, not the init).
    /// The child inherits the fds (close-on-exec); the parent closes them once the child exists.
    static func makeIDMappedTrees(_ plan: inout InitPlan) throws(RuntimeError) -> [Int32] {
        var made: [Int32] = []
        var namespaces: [String: Int32] = [:]   // one user namespace per distinct mapping
        defer { for fd in namespaces.values { Files.close(fd) } }
        for i in plan.mounts.indices {
            guard let mapping = plan.mounts[i].idMapping else { continue }
            do {
                let tree = try idMappedTree(plan.mounts[i], mapping, namespaces: &namespaces)
                made.append(tree)
                plan.mounts[i].tree = tree
            } catch {
                for fd in made { Files.close(fd) }
                throw error
            }
        }
        return made
    }

    private static func idMappedTree(_ m: InitPlan.PlannedMount, _ mapping: InitPlan.IDMapping,
                                     namespaces: inout [String: Int32]) throws(RuntimeError) -> Int32 {
        let source = m.source ?? ""
        let key = mapping.uidMap + "|" + mapping.gidMap
        do {
            let userNamespace: Int32
            if let known = namespaces[key] { userNamespace = known } else {
                userNamespace = try MappedUserNamespace.open(uidMap: mapping.uidMap, gidMap: mapping.gidMap)
                namespaces[key] = userNamespace
            }
            let tree = try Mounts.cloneTree(source, recursive: m.options.flags.contains(.recursive))
            do {
                try Mounts.setIDMapping(tree: tree, userNamespace: userNamespace, recursive: mapping.recursive, display: m.destination)
            } catch {
                Files.close(tree)
                guard error.errno == .invalidArgument else { throw error }
                throw RuntimeError.unsupported(field: "mounts[\(m.index)].source", value: source,
                                               reason: "the filesystem of this bind source does not support id-mapped mounts:")
            }
            return tree
        } catch let error as RuntimeError {
            throw error
        } catch let error as SyscallError {
            throw .system(error)
        } catch {
            throw .container("\(error)")
        }
    }

    /// After the clone, before `go`: each PlannedMount.sourceFromParent, opened O_PATH through the init's own root,
    /// so the mount the fd names is the init's copy (its submounts locked, as the kernel locks every mount a less
    /// privileged user namespace receives), and sent to it in plan order.
    static func send(_ plan: InitPlan, initPid: pid_t, over sync: SyncChannel) throws(RuntimeError) {
        if plan.rootfsFromParent {
            let fd: Int32
            do { fd = try Files.open("/proc/\(initPid)/root" + plan.rootfs, Files.pathOnly | O_DIRECTORY) } catch {
                throw .unsupported(field: "root.path", value: plan.rootfs, reason: "cannot open the root filesystem (\(error.errno)):")
            }
            defer { Files.close(fd) }
            do { try sync.send(.bindSource(fd)) } catch { throw .system(error) }
        }
        for m in plan.mounts where m.sourceFromParent {
            guard let source = m.source else { continue }
            let fd: Int32
            do { fd = try Files.open("/proc/\(initPid)/root" + source, Files.pathOnly) } catch {
                throw .unsupported(field: "mounts[\(m.index)].source", value: source, reason: "cannot open bind source (\(error.errno)):")
            }
            defer { Files.close(fd) }
            do { try sync.send(.bindSource(fd)) } catch { throw .system(error) }
        }
    }
}
