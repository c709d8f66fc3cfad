import TaurunLinux
import TaurunOCI
import TaurunSupport

extension InitPlan {
    /// Step 2 of build: every mount checked and planned (bind sources resolved against the bundle and stat'ed, /proc
    /// destinations against ProcMountPolicy, id mappings); `devIsBind`: /dev comes from a bind, so no default nodes.
    static func planMounts(_ spec: Spec, bundle: String, linux: Linux,
                           userNamespace: Bool) throws(RuntimeError) -> (mounts: [PlannedMount], devIsBind: Bool) {
        var mounts: [PlannedMount] = []
        var devIsBind = false
        for (i, m) in (spec.mounts ?? []).enumerated() {
            var opts = MountOptions(m.options ?? [])
            let field = "mounts[\(i)]"
            guard m.destination.hasPrefix("/") else {
                throw .unsupported(field: field + ".destination", value: m.destination, reason: "mount destination must be absolute:")
            }
            if opts.recursiveReadOnly && !Mounts.hasMountSetattr {
                throw .unsupported(field: field + ".options", value: "rro",
                                   reason: "recursive read-only needs mount_setattr (Linux 5.12), which this kernel lacks:")
            }
            let copyUp = opts.data.contains("tmpcopyup")
            opts.data.removeAll { $0 == "tmpcopyup" }
            if copyUp && m.type != "tmpfs" {
                throw .unsupported(field: field + ".options", value: "tmpcopyup", reason: "tmpcopyup works only on tmpfs mounts, not on type \(m.type ?? "none"):")
            }
            let idmapOption = opts.data.first { $0 == "idmap" || $0 == "ridmap" }
            opts.data.removeAll { $0 == "idmap" || $0 == "ridmap" }
            let isBind = opts.isBind || m.type == "bind"
            var idMapping: IDMapping? = nil
            if idmapOption != nil || m.uidMappings?.isEmpty == false {
                idMapping = try Self.idMapping(of: m, option: idmapOption, isBind: isBind, field: field, linux: linux,
                                               newUser: userNamespace)
            }
            if isBind {
                let planned = try planBind(m, index: i, options: opts, idMapping: idMapping, idmapOption: idmapOption, bundle: bundle,
                                           userNamespace: userNamespace)
                if planned.destination == "/dev" { devIsBind = true }
                mounts.append(planned)
            } else {
                mounts.append(try planFilesystem(m, index: i, options: opts, copyUp: copyUp))
            }
        }

        return (mounts, devIsBind)
    }

    /// A bind mount: its source resolved against the bundle and stat'ed, checked against ProcMountPolicy, and an
    /// id-mapped one refused where the container could unmount what lies below it.
    private static func planBind(_ m: Mount, index i: Int, options opts: MountOptions, idMapping: IDMapping?, idmapOption: String?,
                                 bundle: String, userNamespace: Bool) throws(RuntimeError) -> PlannedMount {
        let field = "mounts[\(i)]"
        guard let source = m.source, !source.isEmpty else {
            throw .unsupported(field: field + ".source", value: "", reason: "bind mount needs a source:")
        }
        let abs = source.hasPrefix("/") ? source : bundle + "/" + source
        guard let kind = FileIO<SyscallError>.resolvedKind(abs) else {
            throw .unsupported(field: field + ".source", value: source, reason: "bind mount source does not exist:")
        }
        let sourceIsProcFS = ProcFS.isProcFS(path: abs)
        if let reason = ProcMountPolicy.refusal(destination: m.destination, type: m.type, isBind: true,
                                                sourceIsProcFS: sourceIsProcFS) {
            throw .unsupported(field: field + ".destination", value: m.destination, reason: reason)
        }
        if idMapping != nil && userNamespace, let below = mountBelow(abs) {
            throw .unsupported(field: field + ".options", value: idmapOption ?? "uidMappings",
                               reason: "the source has a mount below it (\(below)); an id-mapped tree is made outside the container's user namespace, so the kernel would not lock that mount and the container could unmount it to see what it covers:")
        }
        var planned = PlannedMount(source: abs, destination: normalise(m.destination), type: m.type, options: opts,
                                   sourceIsDirectory: kind == .directory, index: i)
        planned.options.flags.insert(.bind)
        planned.sourceIsProcFS = sourceIsProcFS
        planned.idMapping = idMapping
        planned.sourceFromParent = idMapping == nil && userNamespace
        return planned
    }

    /// A filesystem mount: a type taurun knows, at a destination ProcMountPolicy allows.
    private static func planFilesystem(_ m: Mount, index i: Int, options opts: MountOptions, copyUp: Bool) throws(RuntimeError) -> PlannedMount {
        let field = "mounts[\(i)]"
        let known: Set<String> = ["proc", "sysfs", "tmpfs", "mqueue", "devpts", "cgroup", "cgroup2", "none", "overlay",
                                  "ramfs", "securityfs", "debugfs", "tracefs", "fusectl", "configfs", "hugetlbfs", "bpf", "devtmpfs"]
        guard let type = m.type, known.contains(type) else {
            throw .unsupported(field: field + ".type", value: m.type ?? "", reason: "unsupported mount type")
        }
        if let reason = ProcMountPolicy.refusal(destination: m.destination, type: type, isBind: false, sourceIsProcFS: false) {
            throw .unsupported(field: field + ".destination", value: m.destination, reason: reason)
        }
        return PlannedMount(source: m.source, destination: normalise(m.destination), type: type, options: opts,
                            sourceIsDirectory: true, index: i, copyUp: copyUp)
    }

    /// The first mount point strictly below `path` (symlinks resolved) in this process's mount table, or nil.
    /// A bind into a user namespace made by mount(2) locks such mounts; a tree made by open_tree in the parent does not.
    static func mountBelow(_ path: String) -> String? {
        guard let real = try? FileIO<SyscallError>.realPath(path), let table = try? MountInfo.current() else { return nil }
        return mountBelow(real, in: table)
    }

    /// The first mount point of `table` strictly below the resolved path `real`, or nil.
    static func mountBelow(_ real: String, in table: MountInfo) -> String? {
        let prefix = real == "/" ? "/" : real + "/"
        for entry in table {
            let mountPoint = entry.mountPoint
            if mountPoint.hasPrefix(prefix) && mountPoint != real { return mountPoint }
        }
        return nil
    }

    /// The id mapping of an id-mapped mount: its own uid/gidMappings, or with `idmap`/`ridmap` alone the container's
    /// (runc's rule). Bind mounts only, and never half a mapping.
    private static func idMapping(of m: Mount, option: String?, isBind: Bool, field: String, linux: Linux,
                                  newUser: Bool) throws(RuntimeError) -> IDMapping {
        let name = option ?? "uidMappings"
        guard isBind else {
            throw .unsupported(field: field + ".options", value: name, reason: "id-mapped mounts are bind mounts only, not type \(m.type ?? "none"):")
        }
        guard Mounts.hasMountSetattr else {
            throw .unsupported(field: field + ".options", value: name, reason: "id-mapped mounts need mount_setattr (Linux 5.12), which this kernel lacks:")
        }
        var uids = m.uidMappings ?? [], gids = m.gidMappings ?? []
        if uids.isEmpty && gids.isEmpty {
            guard newUser else {
                throw .unsupported(field: field + ".options", value: name,
                                   reason: "an id-mapped mount without uidMappings/gidMappings borrows the container's user namespace mappings, but it has none:")
            }
            uids = linux.uidMappings ?? []
            gids = linux.gidMappings ?? []
        }
        guard !uids.isEmpty, !gids.isEmpty else {
            throw .unsupported(field: field + (uids.isEmpty ? ".uidMappings" : ".gidMappings"), value: "empty",
                               reason: "an id-mapped mount needs both uidMappings and gidMappings, got")
        }
        return IDMapping(uidMap: IDMap.format(uids), gidMap: IDMap.format(gids), recursive: option == "ridmap")
    }
}
