import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// Builds the container's filesystem view inside its new mount namespace: every mount target is created and
/// opened *inside* the rootfs (openat2 RESOLVE_IN_ROOT) and mounted through /proc/self/fd, so a symlink in the
/// image can never redirect a mount onto the host (CVE-2021-30465).
struct RootfsBuilder<Kernel: InitKernel> {
    let kernel: Kernel
    let plan: InitPlan
    /// Bind sources the parent opened for us (BindSources), by mount index; each is closed once mounted.
    var bindSources: [Int: Int32] = [:]
    /// The rootfs the parent opened for us (InitPlan.rootfsFromParent); nil: look it up by path.
    var passedRootfs: Int32? = nil

    /// Mounts, devices and the cwd, before pivot_root. Returns an O_PATH fd of the new root. `beforeCgroupMount`
    /// runs before each `cgroup`/`cgroup2` mount (they bind the container's cgroup directories, made meanwhile by
    /// the parent).
    func build(beforeCgroupMount: () throws -> Void = {}) throws -> Int32 {
        // Our mounts must not propagate back to the host: make the whole tree slave (or what the config asks).
        // shared and unbindable wait until after pivot_root: shared would propagate our mounts to the host, and an
        // unbindable tree cannot be bind-mounted onto itself below.
        var rootProp = plan.rootPropagation
        if plan.propagationAfterPivot { rootProp = [.private, .recursive] }
        try kernel.mount(source: nil, target: "/", type: nil, flags: rootProp.union(.recursive), data: nil)
        // pivot_root needs the new root to be a mount point: bind it onto itself. Passed by the parent, through fds
        // alone (clone the tree, attach it over the directory), no lookup of a path we may not traverse.
        let rootFD: Int32
        if let passed = passedRootfs {
            defer { kernel.close(passed) }
            rootFD = try kernel.cloneTree(of: passed, display: plan.rootfs)
            try kernel.attach(tree: rootFD, onto: passed, display: plan.rootfs)
        } else {
            try kernel.mount(source: plan.rootfs, target: plan.rootfs, type: nil, flags: [.bind, .recursive], data: nil)
            rootFD = try kernel.open(plan.rootfs, Files.pathOnly | O_DIRECTORY)
        }
        // Where the rootfs is in this (still the host's) view: mount destinations are judged by where they land.
        let rootPath = try kernel.path(of: rootFD)
        for m in plan.mounts {
            try checkProcDestination(m, rootFD: rootFD, rootPath: rootPath)
            if m.type == "cgroup" || m.type == "cgroup2" { try beforeCgroupMount() }
            try mount(m, rootFD: rootFD)
        }
        try createDevices(rootFD: rootFD)
        let cwd = try kernel.createInRoot(rootFD: rootFD, plan.cwd, directory: true, display: "cwd " + plan.cwd)
        kernel.close(cwd)
        return rootFD
    }

    /// pivot_root into the new root and detach the old one (or, with --no-pivot, move it over / and chroot).
    /// Returns a procfs handle opened before pivot_root, a private instance where the
    /// kernel allows: every procfs access after this point goes through it, never through the container's /proc,
    /// which the image and the config's mounts may have shaped.
    func enter(rootFD: Int32) throws -> Kernel.ProcHandle {
        let procfs = try kernel.openProcFS()
        if plan.noPivot {
            try kernel.changeDirectory(fd: rootFD, display: plan.rootfs)
            try kernel.mount(source: plan.rootfs, target: "/", type: nil, flags: .move, data: nil)
            try kernel.changeRoot(".", display: plan.rootfs)
        } else {
            let oldRoot = try kernel.open("/", O_DIRECTORY | O_RDONLY)
            defer { kernel.close(oldRoot) }
            try kernel.changeDirectory(fd: rootFD, display: plan.rootfs)
            // pivot_root(".", ".") stacks the old root under the new one; then detach it (no temp dir needed).
            try kernel.pivotRoot(newRoot: ".", putOld: ".")
            try kernel.changeDirectory(fd: oldRoot, display: "/")
            try kernel.mount(source: nil, target: ".", type: nil, flags: [.slave, .recursive], data: nil)
            try kernel.unmount(".")
        }
        try kernel.changeDirectory("/")
        kernel.close(rootFD)
        if plan.propagationAfterPivot {
            try kernel.mount(source: nil, target: "/", type: nil, flags: plan.rootPropagation, data: nil)
        }
        return procfs
    }

    /// ProcMountPolicy at mount time: resolves the destination inside the rootfs (its deepest existing part, for a
    /// destination still to be made) and refuses it when it lands inside /proc or on any procfs, except where the
    /// allow-list says. A symlink in the image (`/evil -> /proc/self/attr`) cannot carry a mount into /proc.
    private func checkProcDestination(_ m: InitPlan.PlannedMount, rootFD: Int32, rootPath: String) throws {
        let fd = try kernel.openDeepestExisting(rootFD: rootFD, relative(m.destination), display: m.destination)
        defer { kernel.close(fd) }
        let real = try kernel.path(of: fd)
        let inside = real == rootPath ? "/" : real.hasPrefix(rootPath + "/") ? String(real.dropFirst(rootPath.count)) : real
        let onProcFS = kernel.isProcFS(fd: fd)
        guard let reason = ProcMountPolicy.refusal(resolved: inside, onProcFS: onProcFS, type: m.type,
                                                   isBind: m.options.isBind, sourceIsProcFS: m.sourceIsProcFS) else { return }
        let field = "mounts[\(m.index)].destination"
        if ProcMountPolicy.clean(inside) == m.destination { throw RuntimeError.unsupported(field: field, value: m.destination, reason: reason) }
        throw RuntimeError.unsupported(field: field, value: m.destination,
                                       reason: "resolves to \(ProcMountPolicy.clean(inside)) inside the rootfs; " + reason)
    }

    private func relative(_ path: String) -> String { String(path.drop { $0 == "/" }) }

    private func mount(_ m: InitPlan.PlannedMount, rootFD: Int32) throws {
        let display = m.destination
        let rel = relative(m.destination)
        if m.type == "cgroup" || m.type == "cgroup2" { return try mountCgroup(m, rootFD: rootFD) }
        let target = try kernel.createInRoot(rootFD: rootFD, rel, directory: m.sourceIsDirectory, display: display)
        // The new mount itself, opened once a step needs it (the target fd still names the covered directory).
        var remountFD: Int32 = -1
        defer { kernel.close(target); if remountFD >= 0 { kernel.close(remountFD) } }
        let opts = m.options
        if opts.isBind {
            try bind(m, onto: target, rootFD: rootFD, remountFD: &remountFD)
        } else {
            try mountFilesystem(m, onto: target, rootFD: rootFD, remountFD: &remountFD)
        }
        if opts.recursiveReadOnly {
            // `rro`: read-only at every level, submounts of an rbind included (a plain `ro` only reaches the top).
            if remountFD < 0 {
                remountFD = try kernel.openat2(rootFD, rel, flags: Files.pathOnly, resolve: Files.resolveInRoot, display: display)
            }
            try kernel.setMountAttributes(fd: remountFD, .readOnly, recursive: true, display: display)
        }
        for p in opts.propagation {
            try kernel.mount(source: nil, target: Files.procPath(remountFD), type: nil, flags: p, data: nil, display: display)
        }
    }

    /// A bind: the tree the parent made (id-mapped), or the source (the fd the parent passed, else the path);
    /// then the other flags by a remount of the new mount, which `remountFD` is left open on.
    private func bind(_ m: InitPlan.PlannedMount, onto target: Int32, rootFD: Int32, remountFD: inout Int32) throws {
        let display = m.destination
        let opts = m.options
        if m.tree >= 0 {
            try kernel.attach(tree: m.tree, onto: target, display: display)
            kernel.close(m.tree)
        } else {
            let passed = bindSources[m.index] ?? -1
            defer { if passed >= 0 { kernel.close(passed) } }
            try kernel.mount(source: passed >= 0 ? Files.procPath(passed) : m.source, target: Files.procPath(target), type: nil,
                             flags: opts.flags.intersection([.bind, .recursive]), data: nil, display: display)
        }
        // The bind itself ignores other flags: apply them with a remount of the *new* mount (reopen the path,
        // the old fd still names the covered directory). Keep flags the kernel locks in a user namespace.
        let extra = opts.flags.subtracting([.bind, .recursive, .remount])
        remountFD = try kernel.openat2(rootFD, relative(m.destination), flags: Files.pathOnly, resolve: Files.resolveInRoot, display: display)
        if !extra.isEmpty {
            let locked = kernel.lockedFlags(of: Files.procPath(remountFD)).subtracting(opts.clear)
            try kernel.mount(source: nil, target: Files.procPath(remountFD), type: nil,
                             flags: extra.union([.bind, .remount]).union(locked), data: nil, display: display)
        }
    }

    /// A filesystem of its own: sysfs falls back to a read-only bind of the host's where it is refused, and a
    /// tmpcopyup tmpfs gets a copy of what it covers. `remountFD` is opened when the fallback or a propagation
    /// change needs the new mount.
    private func mountFilesystem(_ m: InitPlan.PlannedMount, onto target: Int32, rootFD: Int32, remountFD: inout Int32) throws {
        let display = m.destination
        let rel = relative(m.destination)
        let opts = m.options
        let flags = opts.flags.subtracting([.bind, .recursive])
        // The image's directory, kept open: after the tmpfs covers it, this fd still reads what was there.
        let lower = m.copyUp ? try kernel.openat2(rootFD, rel, flags: O_RDONLY | O_DIRECTORY, resolve: Files.resolveInRoot, display: display) : -1
        defer { if lower >= 0 { kernel.close(lower) } }
        var refusedSysfs = false
        do {
            try kernel.mount(source: m.source ?? m.type, target: Files.procPath(target), type: m.type, flags: flags,
                             data: opts.dataString, display: display)
        } catch {
            guard m.type == "sysfs" && (error.errno == .notPermitted || error.errno == .permissionDenied) else { throw error }
            refusedSysfs = true
        }
        if refusedSysfs {
            // Without a network namespace of its own a user-namespaced container may not mount sysfs:
            // bind the host's read-only instead (runc does the same).
            try kernel.mount(source: "/sys", target: Files.procPath(target), type: nil, flags: [.bind, .recursive], data: nil, display: display)
            remountFD = try kernel.openat2(rootFD, rel, flags: Files.pathOnly, resolve: Files.resolveInRoot, display: display)
            try kernel.mount(source: nil, target: Files.procPath(remountFD), type: nil,
                             flags: [.bind, .remount, .readOnly, .noSuid, .noDev, .noExec], data: nil, display: display)
        }
        if lower >= 0 {
            let upper = try kernel.openat2(rootFD, rel, flags: O_RDONLY | O_DIRECTORY, resolve: Files.resolveInRoot, display: display)
            defer { kernel.close(upper) }
            try kernel.copyTree(from: lower, to: upper, display: display)
        }
        if remountFD < 0 && !opts.propagation.isEmpty {
            remountFD = try kernel.openat2(rootFD, rel, flags: Files.pathOnly, resolve: Files.resolveInRoot, display: display)
        }
    }

    /// A `cgroup` mount: a tmpfs holding one mount per host hierarchy. Inside a cgroup namespace each shows the
    /// container's own cgroup as its root.
    private func mountCgroup(_ m: InitPlan.PlannedMount, rootFD: Int32) throws {
        let rel = relative(m.destination)
        let readOnly = m.options.flags.contains(.readOnly)
        let base: MountFlags = [.noSuid, .noDev, .noExec]
        let unifiedOnly = plan.cgroupHierarchies.count == 1 && plan.cgroupHierarchies[0].fstype == "cgroup2"
        if m.type == "cgroup2" || unifiedOnly {
            guard let v2 = plan.cgroupHierarchies.first(where: { $0.fstype == "cgroup2" }) else { return }
            try mountHierarchy(v2, at: rel, display: m.destination, readOnly: readOnly, rootFD: rootFD)
            return
        }
        let top = try kernel.createInRoot(rootFD: rootFD, rel, directory: true, display: m.destination)
        try kernel.mount(source: "tmpfs", target: Files.procPath(top), type: "tmpfs", flags: base, data: "mode=755", display: m.destination)
        kernel.close(top)
        // The tmpfs just mounted is ours alone (nothing else runs in this mount namespace yet) and empty: its
        // hierarchy directories are made and opened relative to it, one level deep and without following symlinks,
        // instead of resolving the whole path from the root for each one.
        let tmpfs = try kernel.openat2(rootFD, rel, flags: Files.pathOnly | O_DIRECTORY, resolve: Files.resolveInRoot,
                                      display: m.destination)
        defer { kernel.close(tmpfs) }
        func reopen(_ name: String, _ display: String) throws -> Int32 {
            try kernel.openat(tmpfs, name, Files.pathOnly | O_DIRECTORY | O_NOFOLLOW, display: display)
        }
        // Binds made here get their flags below, all at once.
        var unremounted: [(name: String, display: String)] = []
        for h in plan.cgroupHierarchies where !h.name.isEmpty {
            let display = m.destination + "/" + h.name
            if h.name.contains("/") {
                try mountHierarchy(h, at: rel + "/" + h.name, display: display, readOnly: readOnly, rootFD: rootFD)
                continue
            }
            try kernel.makeDirectory(in: tmpfs, h.name, display: display)
            let fd = try reopen(h.name, display)
            defer { kernel.close(fd) }
            if try mountHierarchy(h, onto: fd, display: display, readOnly: readOnly, remountBind: false, reopen: { try reopen(h.name, display) }) {
                unremounted.append((h.name, display))
            }
        }
        guard readOnly || !unremounted.isEmpty else { return }
        // One recursive mount_setattr gives the tmpfs and every bind below it nosuid, nodev, noexec (and ro when
        // asked), where a remount per bind costs a mount(2) each; kernels without it (< 5.12) remount one by one.
        let attributes: Mounts.Attributes = readOnly ? [.noSuid, .noDev, .noExec, .readOnly] : [.noSuid, .noDev, .noExec]
        do { try kernel.setMountAttributes(fd: tmpfs, attributes, recursive: true, display: m.destination); return } catch {
            guard error.errno == .noFunction else { throw error }
        }
        for bind in unremounted {
            let again = try reopen(bind.name, bind.display)
            defer { kernel.close(again) }
            try kernel.mount(source: nil, target: Files.procPath(again), type: nil,
                             flags: (readOnly ? base.union(.readOnly) : base).union([.bind, .remount]), data: nil, display: bind.display)
        }
        if readOnly { try remount(rel, display: m.destination, rootFD: rootFD, flags: base.union(.readOnly)) }
    }

    /// One hierarchy: inside a cgroup namespace a fresh cgroup mount (its root is the container's cgroup);
    /// without one, a bind of the container's own cgroup dir, as runc does, so the host's tree stays hidden.
    private func mountHierarchy(_ h: InitPlan.CgroupHierarchy, at rel: String, display: String, readOnly: Bool,
                                rootFD: Int32) throws {
        let fd = try kernel.createInRoot(rootFD: rootFD, rel, directory: true, display: display)
        defer { kernel.close(fd) }
        _ = try mountHierarchy(h, onto: fd, display: display, readOnly: readOnly, remountBind: true) {
            try kernel.openat2(rootFD, rel, flags: Files.pathOnly, resolve: Files.resolveInRoot, display: display)
        }
    }

    /// Mounts hierarchy `h` onto the directory `fd`; `reopen` opens the same path again after the mount (an fd
    /// taken before names what the mount covers), for the bind's remount. With `remountBind` false a bind keeps the
    /// flags it got (the caller sets them): returns true when it made such a bind.
    private func mountHierarchy(_ h: InitPlan.CgroupHierarchy, onto fd: Int32, display: String, readOnly: Bool,
                                remountBind: Bool, reopen: () throws -> Int32) throws -> Bool {
        let base: MountFlags = [.noSuid, .noDev, .noExec]
        if !plan.unshareCgroupNamespace, let source = plan.cgroupBindSources[h.name] {
            try kernel.mount(source: source, target: Files.procPath(fd), type: nil, flags: .bind, data: nil, display: display)
            if !remountBind { return true }
            let again = try reopen()
            defer { kernel.close(again) }
            try kernel.mount(source: nil, target: Files.procPath(again), type: nil,
                             flags: (readOnly ? base.union(.readOnly) : base).union([.bind, .remount]), data: nil, display: display)
        } else {
            try kernel.mount(source: h.fstype, target: Files.procPath(fd), type: h.fstype,
                             flags: readOnly ? base.union(.readOnly) : base, data: h.options.isEmpty ? nil : h.options, display: display)
        }
        return false
    }

    /// Bind-remounts the mount now at `rel` with `flags` (reopened: an fd taken before the mount names what it covers).
    private func remount(_ rel: String, display: String, rootFD: Int32, flags: MountFlags) throws {
        let again = try kernel.openat2(rootFD, rel, flags: Files.pathOnly, resolve: Files.resolveInRoot, display: display)
        defer { kernel.close(again) }
        try kernel.mount(source: nil, target: Files.procPath(again), type: nil, flags: flags.union([.bind, .remount]),
                         data: nil, display: display)
    }

    /// mknod + owner + mode; false when mknod is not permitted here.
    private func makeNode(_ d: InitPlan.PlannedDevice, at path: String) throws -> Bool {
        do {
            try kernel.makeNode(path, kind: d.kind, mode: d.mode, major: d.major, minor: d.minor)
        } catch {
            if error.errno == .notPermitted { return false }
            throw error
        }
        try kernel.changeOwner(path: path, uid: d.uid, gid: d.gid, display: d.path)
        try kernel.changeMode(path: path, d.mode, display: d.path)
        return true
    }

    /// Device nodes: mknod when we may, else (in a user namespace) bind the host's node onto an empty file.
    private func createDevices(rootFD: Int32) throws {
        var devices = plan.devices
        if plan.createDefaultDevices {
            let configured = Set(devices.map(\.path))
            devices = InitPlan.defaultDevices.filter { !configured.contains($0.path) } + devices
        }
        let inUserNS = plan.newUserNamespace || plan.joins.contains { $0.kind == .user }
        for d in devices {
            let rel = relative(d.path)
            let parentRel = rel.split(separator: "/").dropLast().joined(separator: "/")
            let name = String(rel.split(separator: "/").last ?? "")
            let dir = try kernel.createInRoot(rootFD: rootFD, parentRel, directory: true, display: d.path)
            defer { kernel.close(dir) }
            // An image whose /dev leads into /proc must not get device nodes bound over procfs files.
            if kernel.isProcFS(fd: dir) {
                throw RuntimeError.container("device \(d.path): its directory resolves into /proc inside the rootfs; refusing to create it there")
            }
            let path = Files.procPath(dir) + "/" + name
            if !inUserNS {
                kernel.unlink(path)
                // mknod where we may (crun's way); EPERM means a user namespace around taurun itself (rootless
                // Podman runs its runtime as root of one): then bind, as below.
                if try makeNode(d, at: path) { continue }
            }
            // In a user namespace no device node can be made: bind the host's onto an empty file, as runc does.
            let file = try kernel.createInRoot(rootFD: rootFD, rel, directory: false, display: d.path)
            defer { kernel.close(file) }
            try kernel.mount(source: d.path, target: Files.procPath(file), type: nil, flags: .bind, data: nil, display: d.path)
        }
        guard plan.createDefaultDevices else { return }
        let dev = try kernel.createInRoot(rootFD: rootFD, "dev", directory: true, display: "/dev")
        defer { kernel.close(dev) }
        var links = [("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                     ("stderr", "/proc/self/fd/2")]
        if kernel.exists("/proc/kcore") { links.append(("core", "/proc/kcore")) }
        if plan.mounts.contains(where: { $0.destination == "/dev/pts" }) { links.append(("ptmx", "pts/ptmx")) }
        let dirPath = Files.procPath(dev)
        for (name, target) in links {
            try kernel.symlink(target, at: dirPath + "/" + name, display: "/dev/" + name)
        }
    }
}
