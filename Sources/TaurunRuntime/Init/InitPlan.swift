import TaurunLinux
import TaurunOCI
import TaurunSupport

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
        var kind: FileKind           // .characterDevice, .blockDevice or .fifo
        var major: UInt32
        var minor: UInt32
        var mode: UInt32
        var uid: UInt32
        var gid: UInt32
    }

    struct CgroupHierarchy { var name: String; var fstype: String; var options: String }

    var rootfs: String
    /// In a user namespace the parent opens the rootfs with the host's credentials and hands it over (BindSources):
    /// the container's root, an unprivileged id on the host, may not be able to look up the path (a bundle in a 0700
    /// home). Not with --no-pivot, which moves the rootfs by path.
    var rootfsFromParent: Bool { (newUserNamespace || joins.contains { $0.kind == .user }) && !noPivot }
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
    /// Rootless, in a new user namespace: the init is dumpable while those hooks run, so that they, run by the
    /// same user, may open /proc/<init>/ns/* (a Tau app's network hook joins its user and network namespaces).
    /// Non-dumpable, a process whose memory was set up in the host's user namespace is reachable only with
    /// CAP_SYS_PTRACE there, which root has and a user does not. Nothing of the container runs yet.
    var runtimeHooksOpenNamespaces = false
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
        PlannedDevice(path: "/dev/null", kind: .characterDevice, major: 1, minor: 3, mode: 0o666, uid: 0, gid: 0),
        PlannedDevice(path: "/dev/zero", kind: .characterDevice, major: 1, minor: 5, mode: 0o666, uid: 0, gid: 0),
        PlannedDevice(path: "/dev/full", kind: .characterDevice, major: 1, minor: 7, mode: 0o666, uid: 0, gid: 0),
        PlannedDevice(path: "/dev/random", kind: .characterDevice, major: 1, minor: 8, mode: 0o666, uid: 0, gid: 0),
        PlannedDevice(path: "/dev/urandom", kind: .characterDevice, major: 1, minor: 9, mode: 0o666, uid: 0, gid: 0),
        PlannedDevice(path: "/dev/tty", kind: .characterDevice, major: 5, minor: 0, mode: 0o666, uid: 0, gid: 0),
    ]

    /// `mounts`: the caller's read of /proc/self/mountinfo, else it is read here when the plan needs it.
    static func build(spec: Spec, bundle: String, containerID: String, options: CreateOptions,
                      mounts table: MountInfo? = nil) throws(RuntimeError) -> InitPlan {
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

        let namespaces = try planNamespaces(spec, linux)
        let (mounts, devIsBind) = try planMounts(spec, bundle: bundle, linux: linux, userNamespace: namespaces.inUserNamespace)
        let devices = try planDevices(linux)

        try refuseIntelRdt(linux)
        let processPlan = try ProcessPlan.build(process: process, keyring: options.noNewKeyring ? nil : containerID,
                                                preserveFDs: options.preserveFDs)
        try checkTerminal(process, options)
        try checkMaskedAndReadonlyPaths(linux)
        guard let propagation = MountOptions.rootPropagation(linux.rootfsPropagation) else {
            throw .unsupported(field: "linux.rootfsPropagation", value: linux.rootfsPropagation ?? "", reason: "unknown propagation")
        }
        let sysctl = try planSysctl(linux, namespaces: namespaces)

        return InitPlan(
            rootfs: rootfs, readonlyRoot: root.readonly ?? false, rootPropagation: propagation,
            newNamespaces: namespaces.newFlags, unshareCgroupNamespace: namespaces.unshareCgroup, joins: namespaces.joins,
            newUserNamespace: namespaces.newUser,
            uidMappings: linux.uidMappings ?? [], gidMappings: linux.gidMappings ?? [],
            hostname: spec.hostname, domainname: spec.domainname, mounts: mounts,
            cgroupHierarchies: mounts.contains { $0.type == "cgroup" || $0.type == "cgroup2" } ? hostCgroupHierarchies(table) : [],
            devices: devices, createDefaultDevices: !devIsBind,
            maskedPaths: linux.maskedPaths ?? [], readonlyPaths: linux.readonlyPaths ?? [], sysctl: sysctl,
            process: processPlan,
            createContainerHooks: spec.hooks?.createContainer ?? [], startContainerHooks: spec.hooks?.startContainer ?? [],
            runtimeHooks: spec.hooks?.prestart?.isEmpty == false || spec.hooks?.createRuntime?.isEmpty == false,
            noPivot: options.noPivot, containerID: containerID)
    }

    /// The spec: with intelRdt set and no resctrl filesystem mounted the runtime MUST fail. taurun does not
    /// place containers in resctrl groups, so where it is mounted the field is refused too, never ignored.
    private static func refuseIntelRdt(_ linux: Linux) throws(RuntimeError) {
        guard linux.intelRdt != nil else { return }
        let resctrlMagic = 0x7655821   // RDTGROUP_SUPER_MAGIC
        guard Files.filesystemType(of: "/sys/fs/resctrl") == resctrlMagic else {
            throw .unsupported(field: "linux.intelRdt", value: "/sys/fs/resctrl",
                               reason: "needs the resctrl filesystem, which is not mounted at")
        }
        throw .unsupported(field: "linux.intelRdt", value: "set", reason: "Intel RDT (resctrl groups) is not supported by taurun:")
    }

    /// A terminal needs somewhere to go (the console socket, or taurun's own in the foreground); a console
    /// socket needs a terminal to send.
    private static func checkTerminal(_ process: Process, _ options: CreateOptions) throws(RuntimeError) {
        if process.terminal == true && options.consoleSocket == nil && !options.foregroundTerminal {
            throw .usage("cannot allocate tty if taurun will detach without setting console socket")
        }
        if process.terminal != true && options.consoleSocket != nil {
            throw .usage("cannot use console socket if taurun will not detach or allocate tty")
        }
    }

    private static func checkMaskedAndReadonlyPaths(_ linux: Linux) throws(RuntimeError) {
        for (i, p) in (linux.maskedPaths ?? []).enumerated() where !p.hasPrefix("/") {
            throw .unsupported(field: "linux.maskedPaths[\(i)]", value: p, reason: "masked path must be absolute:")
        }
        for (i, p) in (linux.readonlyPaths ?? []).enumerated() where !p.hasPrefix("/") {
            throw .unsupported(field: "linux.readonlyPaths[\(i)]", value: p, reason: "readonly path must be absolute:")
        }
    }

    /// "/a//b/./c/" → "/a/b/c"; ".." components are kept and resolved safely (inside the rootfs) at mount time.
    static func normalise(_ path: String) -> String {
        "/" + path.split(separator: "/").filter { $0 != "." && !$0.isEmpty }.joined(separator: "/")
    }

    static func isDirectoryFollowingLinks(_ path: String) -> Bool {
        Files.isDirectory(path, followingSymlinks: true)
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
    static func hostCgroupHierarchies(_ table: MountInfo? = nil) -> [CgroupHierarchy] {
        guard let table = table ?? (try? MountInfo.current()) else { return [] }
        var out: [CgroupHierarchy] = []
        for entry in table where entry.hasFSType("cgroup") || entry.hasFSType("cgroup2") {
            let mountpoint = entry.mountPoint
            guard mountpoint.hasPrefix("/sys/fs/cgroup") else { continue }
            let name = mountpoint == "/sys/fs/cgroup" ? "" : String(mountpoint.dropFirst("/sys/fs/cgroup/".count))
            let superOptions = entry.superOptions.filter { $0 != "rw" && $0 != "ro" }.joined(separator: ",")
            out.append(CgroupHierarchy(name: name, fstype: entry.fsType, options: superOptions))
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
    /// `run` in the foreground on a terminal: the security monitor's end of the prompt channel to `run`
    /// (PromptTerminal), which asks on the terminal for an on_violation = "ask" app. -1: none. Owned by the caller.
    public var promptChannel: Int32 = -1
    public init() {}
}
