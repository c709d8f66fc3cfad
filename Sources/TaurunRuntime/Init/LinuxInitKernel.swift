import TaurunLinux
import TaurunOCI
import TaurunSeccomp
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// The kernel itself: each InitKernel call forwarded to its TaurunLinux wrapper. No state: every call is what the
/// setup code made before the seam existed.
struct LinuxInitKernel: InitKernel {
    typealias ProcHandle = ProcFS

    func hideFromContainer() { Processes.hideFromContainer() }
    func showToRuntimeHooks() { Processes.showToRuntimeHooks() }
    func dieWithParent(expectedParent: pid_t) { Processes.dieWithParent(expectedParent: expectedParent) }
    func setParentDeathSignal(_ signal: Int32) throws(SyscallError) { try Processes.setParentDeathSignal(signal) }
    func clearParentDeathSignal() { Processes.clearParentDeathSignal() }
    func newSession() throws(SyscallError) { try Processes.newSession() }
    func joinSessionKeyring(named name: String) throws(SyscallError) { try Processes.joinSessionKeyring(named: name) }
    func setNoNewPrivileges() throws(SyscallError) { try Processes.setNoNewPrivileges() }
    func resetSignals() throws(SyscallError) { try Processes.resetSignals() }
    func setUmask(_ mask: UInt32) { FileContext.setCreationMask(mask) }
    func setRlimit(_ limit: ProcessPlan.Rlimit) throws(SyscallError) {
        try Limits.set(resource: limit.resource, soft: limit.soft, hard: limit.hard, name: limit.name)
    }
    func closeOnExec(from first: Int32) throws(SyscallError) { try Processes.closeOnExec(from: first) }
    func keepAcrossExec(_ fd: Int32) { Processes.keepAcrossExec(fd) }

    func becomeNamespaceRoot() throws(SyscallError) { try Credentials.becomeNamespaceRoot() }
    func limitBounding(to keep: [UInt32]) throws(SyscallError) { try Capabilities.limitBounding(to: keep) }
    func setKeepCapabilities(_ on: Bool) throws(SyscallError) { try Processes.setKeepCapabilities(on) }
    func setGroups(_ groups: [UInt32]) throws(SyscallError) { try Credentials.setGroups(groups) }
    func setGID(_ gid: UInt32) throws(SyscallError) { try Credentials.setGID(gid) }
    func setUID(_ uid: UInt32) throws(SyscallError) { try Credentials.setUID(uid) }
    func applyCapabilities(_ sets: Capabilities.Sets) throws(SyscallError) { try Capabilities.apply(sets) }

    func joinNamespace(fd: Int32, kind: NamespaceKind, path: String) throws(SyscallError) {
        try Namespaces.join(fd: fd, kind: kind, path: path)
    }
    func unshare(_ flags: Int32) throws(SyscallError) { try Namespaces.unshare(flags) }
    func cloneSibling() throws(SyscallError) -> pid_t { try Namespaces.clone(flags: 0x8000 /* CLONE_PARENT */) }
    func setHostname(_ name: String) throws(SyscallError) { try Identity.setHostname(name) }
    func setDomainname(_ name: String) throws(SyscallError) { try Identity.setDomainname(name) }

    func open(_ path: String, _ flags: Int32) throws(SyscallError) -> Int32 { try Files.open(path, flags) }
    func openat(_ dirfd: Int32, _ name: String, _ flags: Int32, display: String) throws(SyscallError) -> Int32 {
        try Files.openat(dirfd, name, flags, display: display)
    }
    func openat2(_ dirfd: Int32, _ path: String, flags: Int32, resolve: UInt64, display: String?) throws(SyscallError) -> Int32 {
        try Files.openat2(dirfd, path, flags: flags, resolve: resolve, display: display)
    }
    func createInRoot(rootFD: Int32, _ relative: String, directory: Bool, display: String) throws(SyscallError) -> Int32 {
        try Files.createInRoot(rootFD: rootFD, relative, directory: directory, display: display)
    }
    func openDeepestExisting(rootFD: Int32, _ relative: String, display: String) throws(SyscallError) -> Int32 {
        try Files.openDeepestExisting(rootFD: rootFD, relative, display: display)
    }
    func close(_ fd: Int32) { Files.close(fd) }
    func path(of fd: Int32) throws(SyscallError) -> String { try Files.path(of: fd) }
    func isProcFS(fd: Int32) -> Bool { ProcFS.isProcFS(fd: fd) }
    func exists(_ path: String) -> Bool { Files.exists(path) }
    func stat(fd: Int32) throws(SyscallError) -> Glibc.stat { try Files.stat(fd: fd) }
    func stat(path: String) throws(SyscallError) -> Glibc.stat { try Files.stat(path: path) }
    func isExecutable(_ path: String) -> Bool { Files.isExecutable(path) }
    func changeOwner(fd: Int32, uid: UInt32, gid: UInt32) throws(SyscallError) {
        try Files.changeOwner(fd: fd, uid: uid, gid: gid, display: "fd \(fd)")
    }
    func changeOwner(path: String, uid: UInt32, gid: UInt32, display: String) throws(SyscallError) {
        try Files.changeOwner(path: path, uid: uid, gid: gid, display: display)
    }
    func changeMode(path: String, _ mode: UInt32, display: String) throws(SyscallError) {
        try Files.changeMode(path: path, mode, display: display)
    }
    func makeDirectory(in dirfd: Int32, _ name: String, display: String) throws(SyscallError) {
        do { try Files.makeDirectory(at: dirfd, name, mode: 0o755, display: display) } catch {
            if error.errno.rawValue != EEXIST { throw error }
        }
    }
    func makeNode(_ path: String, kind: FileKind, mode: UInt32, major: UInt32, minor: UInt32) throws(SyscallError) {
        try Files.makeNode(path, kind: kind, mode: mode, major: major, minor: minor)
    }
    func symlink(_ target: String, at path: String, display: String) throws(SyscallError) {
        do { try Files.makeSymlink(target, at: path, display: display) } catch {
            if error.errno.rawValue != EEXIST { throw error }
        }
    }
    func unlink(_ path: String) { Files.removeIfPresent(path) }
    func copyTree(from source: Int32, to target: Int32, display: String) throws {
        try TmpCopyUp.copy(from: source, to: target, display: display)
    }
    func readFile(_ path: String) -> String? { try? Files.readString(path) }
    func changeDirectory(_ path: String) throws(SyscallError) { try FileContext.changeDirectory(path) }
    func changeDirectory(fd: Int32, display: String) throws(SyscallError) { try FileContext.changeDirectory(fd: fd, display: display) }
    func currentDirectory() throws(SyscallError) -> String { try FileContext.currentDirectory() }
    func changeRoot(_ path: String, display: String) throws(SyscallError) { try FileContext.changeRoot(path, display: display) }

    func mount(source: String?, target: String, type: String?, flags: MountFlags, data: String?,
               display: String?) throws(SyscallError) {
        try Mounts.mount(source: source, target: target, type: type, flags: flags, data: data, display: display)
    }
    func unmount(_ target: String) throws(SyscallError) { try Mounts.unmount(target, detach: true) }
    func pivotRoot(newRoot: String, putOld: String) throws(SyscallError) { try Mounts.pivotRoot(newRoot: newRoot, putOld: putOld) }
    func lockedFlags(of path: String) -> MountFlags { Mounts.lockedFlags(of: path) }
    func setMountAttributes(fd: Int32, _ attributes: Mounts.Attributes, recursive: Bool, display: String) throws(SyscallError) {
        try Mounts.setAttributes(fd: fd, attributes, recursive: recursive, display: display)
    }
    func cloneTree(of fd: Int32, display: String) throws(SyscallError) -> Int32 { try Mounts.cloneTree(of: fd, display: display) }
    func attach(tree: Int32, onto target: Int32, display: String) throws(SyscallError) {
        try Mounts.attach(tree: tree, onto: target, display: display)
    }

    func openProcFS() throws(SyscallError) -> ProcFS { try ProcFS.open() }
    func write(_ procfs: ProcFS, _ path: String, _ value: String) throws(SyscallError) { try procfs.write(path, value) }
    func readString(_ procfs: ProcFS, _ path: String) throws(SyscallError) -> String { try procfs.readString(path) }
    func withFDPaths<T>(_ procfs: ProcFS, _ body: ((Int32) -> String) throws -> T) throws -> T { try procfs.withFDPaths(body) }

    func joinCgroupTasks(_ tasksFiles: [String]) throws(SyscallError) { try CgroupSelfJoin.joinV1(tasksFiles) }
    func setUpConsole(socketFD: Int32, size: (rows: UInt16, cols: UInt16)?, controlling: Bool) throws(SyscallError) {
        let pair = try Terminal.openPair(rows: size?.rows ?? 0, cols: size?.cols ?? 0)
        if socketFD >= 0 {
            try UnixSocket.sendFD(over: socketFD, fd: pair.master, name: "/dev/ptmx")
            Files.close(socketFD)
        }
        Files.close(pair.master)
        if controlling { try Terminal.becomeControlling(slave: pair.slave) } else { try Terminal.useAsStdio(slave: pair.slave) }
    }
    func loadSeccomp(_ program: SeccompProgram) throws(SyscallError) -> Int32 {
        let result = SeccompLoader.load(program)
        if result.result < 0 { throw SyscallError("seccomp(SET_MODE_FILTER)", nil, rawErrno: result.errno) }
        return program.usesNotify ? result.result : -1
    }
    func runHooks(_ hooks: [Hook], kind: String, state: String) throws(RuntimeError) {
        try HookRunner.run(hooks, kind: kind, state: state)
    }
    func send(_ message: SyncMessage, over sync: SyncChannel) throws(SyscallError) { try sync.send(message) }
    func receive(from sync: SyncChannel) throws(SyscallError) -> SyncMessage? { try sync.receive() }
    func waitForStart(fifo: Int32) -> Bool { ExecFifo.awaitRelease(fifo) }
    func exec(_ trampoline: ExecTrampoline, _ mode: ExecTrampoline.Mode, path: String, args: [String],
              env: [String]) -> SyscallError {
        trampoline.exec(mode, path: path, args: args, env: env)
    }
}
