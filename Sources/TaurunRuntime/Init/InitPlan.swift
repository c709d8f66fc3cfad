import TaurunLinux
import TaurunOCI

#if canImport(Glibc)
import Glibc
#endif

/// Everything the container's first process needs, worked out by the parent before clone: names resolved to
/// numbers, options parsed, paths checked. A config the plan refuses never gets as far as a namespace or a cgroup,
/// and the child does no parsing of its own (small, allocation-light work between clone and exec).
struct InitPlan {
    struct PlannedMount {
        var source: String?
        var destination: String      // absolute inside the container
        var type: String?
        var options: MountOptions
        var sourceIsDirectory: Bool  // bind sources: decides whether the target is a dir or a file
        var index: Int
        /// tmpfs with `tmpcopyup`: start with a copy of what the image has at the destination.
        var copyUp = false
        /// A bind whose source is on a procfs (allowed at /proc, as in runc).
        var sourceIsProcFS = false
        /// An id-mapped bind (`idmap`/`ridmap`, or the mount's own uid/gidMappings): the maps of the user namespace
        /// its owners show through, and whether submounts are mapped too.
        var idMapping: IDMapping? = nil
        /// A bind into a container with a user namespace: its source is looked up by the parent, with the host's
        /// credentials, and handed over as an fd. The container's root, an unprivileged id on the host, may not
        /// be allowed to reach it (a source below a 0700 directory).
        var sourceFromParent = false
        /// The detached tree the parent made before the clone (an id-mapped bind), attached with move_mount.
        var tree: Int32 = -1
    }

    struct IDMapping {
        var uidMap: String
        var gidMap: String
        var recursive: Bool
    }

    struct PlannedDevice {
        var path: String
        var kind: UInt32             // S_IFCHR / S_IFBLK / S_IFIFO
        var major: UInt32
        var minor: UInt32
        var mode: UInt32
        var uid: UInt32
        var gid: UInt32
    }

    struct CgroupHierarchy { var name: String; var fstype: String; var options: String }

    var rootfs: String
    var readonlyRoot: Bool
    var rootPropagation: MountFlags
    var newNamespaces: Int32               // CLONE_NEW* for the clone itself (user, mnt, uts, ipc, net, pid, time)
    var unshareCgroupNamespace: Bool       // done by the child once the parent has put it in its cgroup
    var joins: [(kind: NamespaceKind, path: String)]
    var newUserNamespace: Bool
    var uidMappings: [LinuxIDMapping]
    var gidMappings: [LinuxIDMapping]
    var hostname: String?
    var domainname: String?
    var mounts: [PlannedMount]
    var cgroupHierarchies: [CgroupHierarchy]
    /// Hierarchy name ("memory", "unified", "" for a v2-only host) → the container's own cgroup dir on the host.
    /// Without a cgroup namespace a `cgroup` mount binds these, so the container sees its cgroup, not the host's tree.
    var cgroupBindSources: [String: String] = [:]
    var devices: [PlannedDevice]
    var createDefaultDevices: Bool
    var maskedPaths: [String]
    var readonlyPaths: [String]
    var sysctl: [(String, String)]

    /// What the container's first process becomes (shared with exec: ProcessPlan, ProcessSetup).
    var process: ProcessPlan

    var createContainerHooks: [Hook]
    var startContainerHooks: [Hook]
    /// prestart or createRuntime hooks exist: the parent runs them once the rootfs is built, so the child stops for
    /// them; without any it goes straight on (one round trip less).
    var runtimeHooks: Bool
    var noPivot: Bool
    var containerID: String

    /// The working directory, made inside the rootfs when the image lacks it.
    var cwd: String { process.cwd }
}

extension InitPlan {
    /// Joining a user namespace while creating others: the new ones must belong to the joined user namespace, so
    /// they are created after joining it, by a first child that then forks the container's init (runc's nsexec
    /// stages). Otherwise one clone creates them all.
    var needsTwoStageClone: Bool { joins.contains { $0.kind == .user } && newNamespaces != 0 }

    var propagationAfterPivot: Bool { !rootPropagation.isDisjoint(with: [.shared, .unbindable]) }

    /// The default /dev nodes every container gets (runc's AllowedDevices minus the pty ones, which devpts provides).
    static let defaultDevices: [PlannedDevice] = [
        PlannedDevice(path: "/dev/null", kind: 0o020000, major: 1, minor: 3, mode: 0o666, uid: 0, gid: 0),
        PlannedDevice(path: "/dev/zero", kind: 0o020000, major: 1, minor: 5, mode: 0o666, uid: 0, gid: 0),
        PlannedDevice(path: "/dev/full", kind: 0o020000, major: 1, minor: 7, mode: 0o666, uid: 0, gid: 0),
        PlannedDevice(path: "/dev/random", kind: 0o020000, major: 1, minor: 8, mode: 0o666, uid: 0, gid: 0),
        PlannedDevice(path: "/dev/urandom", kind: 0o020000, major: 1, minor: 9, mode: 0o666, uid: 0, gid: 0),
        PlannedDevice(path: "/dev/tty", kind: 0o020000, major: 5, minor: 0, mode: 0o666, uid: 0, gid: 0),
    ]

    static func build(spec: Spec, bundle: String, containerID: String, options: CreateOptions) throws(RuntimeError) -> InitPlan {
        guard let process = spec.process else {
            throw .unsupported(field: "process", value: "null", reason: "a process is required to create a container:")
        }
        guard let root = spec.root else {
            throw .unsupported(field: "root", value: "null", reason: "root.path is required on Linux:")
        }
        let linux = spec.linux ?? Linux()
        let rootfs = root.path.hasPrefix("/") ? root.path : bundle + "/" + root.path
        guard isDirectoryFollowingLinks(rootfs) else {
            throw .unsupported(field: "root.path", value: root.path, reason: "root filesystem is not a directory:")
        }

        // Namespaces.
        var newFlags: Int32 = 0
        var joins: [(NamespaceKind, String)] = []
        var unshareCgroup = false
        var newUser = false
        var hasMount = false
        for (i, ns) in (linux.namespaces ?? []).enumerated() {
            guard let kind = NamespaceKind(rawValue: ns.type.rawValue) else {
                throw .unsupported(field: "linux.namespaces[\(i)].type", value: ns.type.rawValue, reason: "unsupported namespace type")
            }
            if kind == .mount { hasMount = true }
            if let path = ns.path, !path.isEmpty {
                guard path.hasPrefix("/") else {
                    throw .unsupported(field: "linux.namespaces[\(i)].path", value: path, reason: "namespace path must be absolute:")
                }
                guard Files.exists(path) else {
                    throw .unsupported(field: "linux.namespaces[\(i)].path", value: path, reason: "namespace path does not exist:")
                }
                let actual: NamespaceKind?
                do { actual = try Namespaces.kind(ofFileAt: path) } catch {
                    throw .unsupported(field: "linux.namespaces[\(i)].path", value: path, reason: "cannot open namespace path:")
                }
                guard let actual else {
                    throw .unsupported(field: "linux.namespaces[\(i)].path", value: path, reason: "not a namespace:")
                }
                guard actual == kind else {
                    throw .unsupported(field: "linux.namespaces[\(i)].path", value: path,
                                       reason: "is a \(actual.rawValue) namespace, not \(kind.rawValue):")
                }
                joins.append((kind, path))
            } else if kind == .cgroup {
                unshareCgroup = true
            } else {
                if kind == .user { newUser = true }
                if kind == .time, !Files.exists("/proc/self/ns/time") {
                    throw .unsupported(field: "linux.namespaces[\(i)].type", value: "time", reason: "this kernel has no time namespaces:")
                }
                newFlags |= kind.cloneFlag
            }
        }
        guard hasMount else {
            throw .unsupported(field: "linux.namespaces", value: "mount", reason: "taurun needs a mount namespace to set up the rootfs, missing:")
        }
        let joinsUser = joins.contains { $0.0 == .user }
        if (linux.uidMappings?.isEmpty == false || linux.gidMappings?.isEmpty == false) && !newUser && !joinsUser {
            throw .unsupported(field: "linux.uidMappings", value: "set", reason: "id mappings need a new user namespace, but none is requested; mappings are")
        }
        if newUser && (linux.uidMappings?.isEmpty ?? true || linux.gidMappings?.isEmpty ?? true) {
            throw .unsupported(field: "linux.uidMappings", value: "empty", reason: "a new user namespace needs uidMappings and gidMappings, got")
        }
        if joinsUser && newUser {
            throw .unsupported(field: "linux.namespaces", value: "user", reason: "user namespace both joined and new:")
        }
        // A joined uts namespace may be given a name too (runc allows it; runtime-tools linux_ns_path checks it).
        let hasUTS = (newFlags & NamespaceKind.uts.cloneFlag) != 0 || joins.contains { $0.0 == .uts }
        if spec.hostname?.isEmpty == false && !hasUTS {
            throw .unsupported(field: "hostname", value: spec.hostname ?? "", reason: "setting a hostname needs a new uts namespace; hostname")
        }
        if spec.domainname?.isEmpty == false && !hasUTS {
            throw .unsupported(field: "domainname", value: spec.domainname ?? "", reason: "setting a domainname needs a new uts namespace; domainname")
        }

        // Mounts.
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
                                               newUser: newUser || joinsUser)
            }
            var sourceIsDir = true
            if isBind {
                guard let source = m.source, !source.isEmpty else {
                    throw .unsupported(field: field + ".source", value: "", reason: "bind mount needs a source:")
                }
                let abs = source.hasPrefix("/") ? source : bundle + "/" + source
                var st = statBuf()
                guard stat(abs, &st) == 0 else {
                    throw .unsupported(field: field + ".source", value: source, reason: "bind mount source does not exist:")
                }
                sourceIsDir = (st.st_mode & 0o170000) == 0o040000
                if normalise(m.destination) == "/dev" { devIsBind = true }
                let sourceIsProcFS = ProcFS.isProcFS(path: abs)
                if let reason = ProcMountPolicy.refusal(destination: m.destination, type: m.type, isBind: true,
                                                        sourceIsProcFS: sourceIsProcFS) {
                    throw .unsupported(field: field + ".destination", value: m.destination, reason: reason)
                }
                var planned = PlannedMount(source: abs, destination: normalise(m.destination), type: m.type, options: opts,
                                           sourceIsDirectory: sourceIsDir, index: i)
                planned.options.flags.insert(.bind)
                planned.sourceIsProcFS = sourceIsProcFS
                planned.idMapping = idMapping
                planned.sourceFromParent = idMapping == nil && (newUser || joinsUser)
                mounts.append(planned)
                continue
            }
            let known: Set<String> = ["proc", "sysfs", "tmpfs", "mqueue", "devpts", "cgroup", "cgroup2", "none", "overlay",
                                      "ramfs", "securityfs", "debugfs", "tracefs", "fusectl", "configfs", "hugetlbfs", "bpf", "devtmpfs"]
            guard let type = m.type, known.contains(type) else {
                throw .unsupported(field: field + ".type", value: m.type ?? "", reason: "unsupported mount type")
            }
            if let reason = ProcMountPolicy.refusal(destination: m.destination, type: type, isBind: false, sourceIsProcFS: false) {
                throw .unsupported(field: field + ".destination", value: m.destination, reason: reason)
            }
            mounts.append(PlannedMount(source: m.source, destination: normalise(m.destination), type: type, options: opts,
                                       sourceIsDirectory: true, index: i, copyUp: copyUp))
        }

        // Devices.
        var devices: [PlannedDevice] = []
        for (i, d) in (linux.devices ?? []).enumerated() {
            let field = "linux.devices[\(i)]"
            let kind: UInt32
            switch d.type {
            case "c", "u": kind = 0o020000
            case "b": kind = 0o060000
            case "p": kind = 0o010000
            default: throw .unsupported(field: field + ".type", value: d.type, reason: "unknown device type")
            }
            guard d.path.hasPrefix("/dev/"), !d.path.split(separator: "/").contains("..") else {
                throw .unsupported(field: field + ".path", value: d.path, reason: "device path must be under /dev:")
            }
            if kind != 0o010000 && (d.major == nil || d.minor == nil) {
                throw .unsupported(field: field, value: d.path, reason: "char and block devices need major and minor:")
            }
            guard (d.major ?? 0) >= 0, (d.major ?? 0) < (1 << 12), (d.minor ?? 0) >= 0, (d.minor ?? 0) < (1 << 20) else {
                throw .unsupported(field: field + ".major", value: "\(d.major ?? 0):\(d.minor ?? 0)", reason: "device number out of range:")
            }
            devices.append(PlannedDevice(path: d.path, kind: kind, major: UInt32(d.major ?? 0), minor: UInt32(d.minor ?? 0),
                                         mode: (d.fileMode ?? 0o666) & 0o7777, uid: d.uid ?? 0, gid: d.gid ?? 0))
        }

        // The spec: with intelRdt set and no resctrl filesystem mounted the runtime MUST fail. taurun does not
        // place containers in resctrl groups, so where it is mounted the field is refused too, never ignored.
        if linux.intelRdt != nil {
            let resctrlMagic = 0x7655821   // RDTGROUP_SUPER_MAGIC
            guard Files.filesystemType(of: "/sys/fs/resctrl") == resctrlMagic else {
                throw .unsupported(field: "linux.intelRdt", value: "/sys/fs/resctrl",
                                   reason: "needs the resctrl filesystem, which is not mounted at")
            }
            throw .unsupported(field: "linux.intelRdt", value: "set", reason: "Intel RDT (resctrl groups) is not supported by taurun:")
        }

        // Process.
        let processPlan = try ProcessPlan.build(process: process, keyring: options.noNewKeyring ? nil : containerID,
                                                preserveFDs: options.preserveFDs)
        if process.terminal == true && options.consoleSocket == nil && !options.foregroundTerminal {
            throw .usage("cannot allocate tty if taurun will detach without setting console socket")
        }
        if process.terminal != true && options.consoleSocket != nil {
            throw .usage("cannot use console socket if taurun will not detach or allocate tty")
        }
        for (i, p) in (linux.maskedPaths ?? []).enumerated() where !p.hasPrefix("/") {
            throw .unsupported(field: "linux.maskedPaths[\(i)]", value: p, reason: "masked path must be absolute:")
        }
        for (i, p) in (linux.readonlyPaths ?? []).enumerated() where !p.hasPrefix("/") {
            throw .unsupported(field: "linux.readonlyPaths[\(i)]", value: p, reason: "readonly path must be absolute:")
        }
        guard let propagation = MountOptions.rootPropagation(linux.rootfsPropagation) else {
            throw .unsupported(field: "linux.rootfsPropagation", value: linux.rootfsPropagation ?? "", reason: "unknown propagation")
        }
        var sysctl: [(String, String)] = []
        // /proc/sys is only partly namespaced: a key is written only where the container owns the namespace it
        // belongs to, and a namespace joined by path that is the host's own (same nsfs inode) is not owned.
        var owned: [NamespaceKind: Bool] = [:]
        func owns(_ kind: NamespaceKind) throws(RuntimeError) -> Bool {
            if let known = owned[kind] { return known }
            var result = (newFlags & kind.cloneFlag) != 0
            if !result, let join = joins.first(where: { $0.0 == kind }) {
                guard let host = isHostNamespace(join.1, kind: kind) else {
                    throw .unsupported(field: "linux.namespaces", value: join.1, reason: "cannot stat namespace path:")
                }
                result = !host
            }
            owned[kind] = result
            return result
        }
        for key in (linux.sysctl ?? [:]).keys.sorted() {
            guard !key.isEmpty, !key.contains("/"), !key.split(separator: ".").contains("..") else {
                throw .unsupported(field: "linux.sysctl", value: key, reason: "invalid sysctl key")
            }
            let rule = SysctlRule.of(key)
            if let kind = rule.namespace, try owns(kind) {
                sysctl.append((key, linux.sysctl?[key] ?? ""))
                continue
            }
            throw .unsupported(field: "linux.sysctl", value: key, reason: rule.refusal + ":")
        }

        return InitPlan(
            rootfs: rootfs, readonlyRoot: root.readonly ?? false, rootPropagation: propagation,
            newNamespaces: newFlags, unshareCgroupNamespace: unshareCgroup, joins: joins, newUserNamespace: newUser,
            uidMappings: linux.uidMappings ?? [], gidMappings: linux.gidMappings ?? [],
            hostname: spec.hostname, domainname: spec.domainname, mounts: mounts,
            cgroupHierarchies: mounts.contains { $0.type == "cgroup" || $0.type == "cgroup2" } ? hostCgroupHierarchies() : [],
            devices: devices, createDefaultDevices: !devIsBind,
            maskedPaths: linux.maskedPaths ?? [], readonlyPaths: linux.readonlyPaths ?? [], sysctl: sysctl,
            process: processPlan,
            createContainerHooks: spec.hooks?.createContainer ?? [], startContainerHooks: spec.hooks?.startContainer ?? [],
            runtimeHooks: spec.hooks?.prestart?.isEmpty == false || spec.hooks?.createRuntime?.isEmpty == false,
            noPivot: options.noPivot, containerID: containerID)
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

    /// Whether the namespace file at `path` is the host's: the same nsfs (device, inode) as init's
    /// (/proc/1/ns/<kind>) or as taurun's own (/proc/self/ns/<kind>; runc's "host" means "current"). nil: `path`
    /// cannot be stat'ed.
    static func isHostNamespace(_ path: String, kind: NamespaceKind) -> Bool? {
        var target = statBuf()
        guard stat(path, &target) == 0 else { return nil }
        for reference in ["/proc/1/ns/", "/proc/self/ns/"] {
            var host = statBuf()
            if stat(reference + kind.procName, &host) == 0, host.st_dev == target.st_dev, host.st_ino == target.st_ino {
                return true
            }
        }
        return false
    }

    /// "/a//b/./c/" → "/a/b/c"; ".." components are kept and resolved safely (inside the rootfs) at mount time.
    static func normalise(_ path: String) -> String {
        "/" + path.split(separator: "/").filter { $0 != "." && !$0.isEmpty }.joined(separator: "/")
    }

    static func isDirectoryFollowingLinks(_ path: String) -> Bool {
        var st = statBuf()
        return stat(path, &st) == 0 && (st.st_mode & 0o170000) == 0o040000
    }

    /// Fills cgroupBindSources from the directories of the container's cgroup.
    mutating func bindCgroups(to dirs: [String]) {
        for h in cgroupHierarchies {
            let mountpoint = h.name.isEmpty ? "/sys/fs/cgroup" : "/sys/fs/cgroup/" + h.name
            if let dir = dirs.first(where: { $0 == mountpoint || $0.hasPrefix(mountpoint + "/") }) {
                cgroupBindSources[h.name] = dir
            }
        }
    }

    /// The host's cgroup hierarchies, for `cgroup` mounts inside the container (one per v1 controller, plus v2).
    static func hostCgroupHierarchies() -> [CgroupHierarchy] {
        guard let text = try? Files.readString("/proc/self/mountinfo") else { return [] }
        var out: [CgroupHierarchy] = []
        for line in text.split(separator: "\n") {
            let halves = line.split(separator: " - ", maxSplits: 1)
            guard halves.count == 2 else { continue }
            let left = halves[0].split(separator: " "), right = halves[1].split(separator: " ")
            guard left.count >= 5, right.count >= 3 else { continue }
            let mountpoint = String(left[4]), fstype = String(right[0])
            guard fstype == "cgroup" || fstype == "cgroup2", mountpoint.hasPrefix("/sys/fs/cgroup") else { continue }
            let name = mountpoint == "/sys/fs/cgroup" ? "" : String(mountpoint.dropFirst("/sys/fs/cgroup/".count))
            let superOptions = right[2].split(separator: ",").filter { $0 != "rw" && $0 != "ro" }.joined(separator: ",")
            out.append(CgroupHierarchy(name: name, fstype: fstype, options: superOptions))
        }
        return out
    }
}

/// Options from the command line that shape the container's first process.
public struct CreateOptions: Sendable {
    public var consoleSocket: String?
    public var pidFile: String?
    public var noPivot = false
    public var noNewKeyring = false
    public var preserveFDs: Int32 = 0
    /// `run` in the foreground with a terminal: taurun itself holds the pty master.
    public var foregroundTerminal = false
    public init() {}
}

/// runc's sysctl rules (libcontainer/configs/validate): which namespace a key belongs to, and why it is refused when
/// the container does not own that namespace. Keys outside the ipc, network and uts sets are never namespaced.
struct SysctlRule: Equatable {
    /// The namespace the container must own for the key to be written; nil: no namespace makes it safe.
    var namespace: NamespaceKind?
    var refusal: String

    static let ipcKeys: Set<String> = [
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
        "kernel.shmmni", "kernel.shm_rmid_forced",
    ]

    static func of(_ key: String) -> SysctlRule {
        if ipcKeys.contains(key) || key.hasPrefix("fs.mqueue.") {
            return SysctlRule(namespace: .ipc, refusal: "sysctl not allowed in the host's ipc namespace")
        }
        if key.hasPrefix("net.") {
            return SysctlRule(namespace: .network, refusal: "sysctl not allowed in the host's network namespace")
        }
        if key == "kernel.domainname" {
            return SysctlRule(namespace: .uts, refusal: "sysctl not allowed in the host's uts namespace")
        }
        if key == "kernel.hostname" {
            return SysctlRule(namespace: nil, refusal: "sysctl conflicts with the \"hostname\" field; use it instead of")
        }
        return SysctlRule(namespace: nil, refusal: "sysctl is not in a separate kernel namespace")
    }
}
