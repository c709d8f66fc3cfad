import TaurunLinux
import TaurunOCI
import TaurunSeccomp
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// Every call the child of `create` (ContainerInit, RootfsBuilder, PathMasking) and of `exec` (ExecInit) makes
/// between clone and execve, the sync socket and the final exec included: the seam that lets unit tests run the
/// whole setup without root and assert its order (Tests/TaurunRuntimeTests/RecordingKernel.swift records each call;
/// InitOrderTests checks pivot_root, no_new_privs before seccomp, seccomp last but the exec, the fds open at exec).
/// LinuxInitKernel forwards each method to TaurunLinux. The setup types take the kernel as a generic parameter,
/// specialized in the release build: the real path makes the same calls as before, with no indirection.
///
/// youki's `Syscall` trait is the model; unlike its TestHelperSyscall, which keeps one list per call kind, the
/// recording here is one ordered trace, because the order across kinds is what matters.
///
/// What stays outside: the parent's half and its clone (Runtime+Create, driveToCreated, Runtime+Exec; the first
/// stage's fork of the init, `cloneSibling`, is inside), what a composite call does within itself (`setUpConsole`,
/// `runHooks`, `copyTree`, `joinCgroupTasks`, `loadSeccomp`: each one step of the order), the trampoline after its
/// execve (the wait for `start`, the sibling's setsid in spawn mode) and the final report of a failure
/// (InitStop.exit: the last message, `_exit`).
protocol InitKernel {
    /// A procfs handle opened before pivot_root (ProcFS for the real kernel).
    associatedtype ProcHandle

    // MARK: Process attributes

    func hideFromContainer()
    func showToRuntimeHooks()
    func dieWithParent(expectedParent: pid_t)
    func setParentDeathSignal(_ signal: Int32) throws(SyscallError)
    func clearParentDeathSignal()
    func newSession() throws(SyscallError)
    func joinSessionKeyring(named name: String) throws(SyscallError)
    func setNoNewPrivileges() throws(SyscallError)
    func resetSignals() throws(SyscallError)
    func setUmask(_ mask: UInt32)
    func setRlimit(_ limit: ProcessPlan.Rlimit) throws(SyscallError)
    /// Marks every fd from `first` up close-on-exec.
    func closeOnExec(from first: Int32) throws(SyscallError)
    func keepAcrossExec(_ fd: Int32)

    // MARK: Credentials and capabilities

    func becomeNamespaceRoot() throws(SyscallError)
    func limitBounding(to keep: [UInt32]) throws(SyscallError)
    func setKeepCapabilities(_ on: Bool) throws(SyscallError)
    func setGroups(_ groups: [UInt32]) throws(SyscallError)
    func setGID(_ gid: UInt32) throws(SyscallError)
    func setUID(_ uid: UInt32) throws(SyscallError)
    func applyCapabilities(_ sets: Capabilities.Sets) throws(SyscallError)

    // MARK: Namespaces and identity

    func joinNamespace(fd: Int32, kind: NamespaceKind, path: String) throws(SyscallError)
    func unshare(_ flags: Int32) throws(SyscallError)
    /// The two-stage clone's fork of the init (CLONE_PARENT): 0 in the init, its pid in the first stage.
    func cloneSibling() throws(SyscallError) -> pid_t
    func setHostname(_ name: String) throws(SyscallError)
    func setDomainname(_ name: String) throws(SyscallError)

    // MARK: Files

    func open(_ path: String, _ flags: Int32) throws(SyscallError) -> Int32
    func openat(_ dirfd: Int32, _ name: String, _ flags: Int32, display: String) throws(SyscallError) -> Int32
    func openat2(_ dirfd: Int32, _ path: String, flags: Int32, resolve: UInt64, display: String?) throws(SyscallError) -> Int32
    func createInRoot(rootFD: Int32, _ relative: String, directory: Bool, display: String) throws(SyscallError) -> Int32
    func openDeepestExisting(rootFD: Int32, _ relative: String, display: String) throws(SyscallError) -> Int32
    func close(_ fd: Int32)
    func path(of fd: Int32) throws(SyscallError) -> String
    func isProcFS(fd: Int32) -> Bool
    func exists(_ path: String) -> Bool
    func stat(fd: Int32) throws(SyscallError) -> Glibc.stat
    func stat(path: String) throws(SyscallError) -> Glibc.stat
    /// access(X_OK).
    func isExecutable(_ path: String) -> Bool
    func changeOwner(fd: Int32, uid: UInt32, gid: UInt32) throws(SyscallError)
    /// lchown.
    func changeOwner(path: String, uid: UInt32, gid: UInt32, display: String) throws(SyscallError)
    func changeMode(path: String, _ mode: UInt32, display: String) throws(SyscallError)
    /// mkdirat; EEXIST is not an error.
    func makeDirectory(in dirfd: Int32, _ name: String, display: String) throws(SyscallError)
    func makeNode(_ path: String, kind: FileKind, mode: UInt32, major: UInt32, minor: UInt32) throws(SyscallError)
    /// EEXIST is not an error.
    func symlink(_ target: String, at path: String, display: String) throws(SyscallError)
    func unlink(_ path: String)
    /// TmpCopyUp: the image directory's content into the tmpfs over it.
    func copyTree(from source: Int32, to target: Int32, display: String) throws
    /// The file's text, nil when it cannot be read (the container's /etc/passwd).
    func readFile(_ path: String) -> String?
    func changeDirectory(_ path: String) throws(SyscallError)
    func changeDirectory(fd: Int32, display: String) throws(SyscallError)
    func currentDirectory() throws(SyscallError) -> String
    func changeRoot(_ path: String, display: String) throws(SyscallError)

    // MARK: Mounts

    func mount(source: String?, target: String, type: String?, flags: MountFlags, data: String?,
               display: String?) throws(SyscallError)
    func unmount(_ target: String) throws(SyscallError)
    func pivotRoot(newRoot: String, putOld: String) throws(SyscallError)
    func lockedFlags(of path: String) -> MountFlags
    func setMountAttributes(fd: Int32, _ attributes: Mounts.Attributes, recursive: Bool, display: String) throws(SyscallError)
    func cloneTree(of fd: Int32, display: String) throws(SyscallError) -> Int32
    func attach(tree: Int32, onto target: Int32, display: String) throws(SyscallError)

    // MARK: procfs

    func openProcFS() throws(SyscallError) -> ProcHandle
    func write(_ procfs: ProcHandle, _ path: String, _ value: String) throws(SyscallError)
    func readString(_ procfs: ProcHandle, _ path: String) throws(SyscallError) -> String
    /// ProcFS.withFDPaths: `body` gets a function naming an fd through the handle's self/fd.
    func withFDPaths<T>(_ procfs: ProcHandle, _ body: ((Int32) -> String) throws -> T) throws -> T

    // MARK: Steps of the setup, each one call of the order

    /// v1 cgroups the init moves itself into (CgroupSelfJoin).
    func joinCgroupTasks(_ tasksFiles: [String]) throws(SyscallError)
    /// A pty from the container's devpts: master to the console socket, slave to stdio (and controlling terminal).
    func setUpConsole(socketFD: Int32, size: (rows: UInt16, cols: UInt16)?, controlling: Bool) throws(SyscallError)
    /// Returns the notify listener fd, or -1 when the program has no SCMP_ACT_NOTIFY rule.
    func loadSeccomp(_ program: SeccompProgram) throws(SyscallError) -> Int32
    func runHooks(_ hooks: [Hook], kind: String, state: String) throws(RuntimeError)
    func send(_ message: SyncMessage, over sync: SyncChannel) throws(SyscallError)
    func receive(from sync: SyncChannel) throws(SyscallError) -> SyncMessage?
    /// Blocks until `start` writes its byte into the exec fifo; false when it cannot be read.
    func waitForStart(fifo: Int32) -> Bool
    /// execve through the sealed trampoline. Returns only when that failed.
    func exec(_ trampoline: ExecTrampoline, _ mode: ExecTrampoline.Mode, path: String, args: [String],
              env: [String]) -> SyscallError
}

/// Why a child's setup returned instead of ending in execve.
enum InitStop: Error {
    /// Before `ready`: the reason goes to the parent over the sync socket.
    case failed(String)
    /// After `ready` nobody reads the sync socket: the reason goes where the container's stderr goes.
    case failedAfterReady(String)
    /// The parent hung up or broke the protocol: there is nobody to tell.
    case abandoned

    /// Tells whoever still listens why (`prefix` before a reason sent to the parent), then `_exit(1)`.
    func exit(over sync: SyncChannel, prefix: String = "") -> Never {
        switch self {
        case .failed(let message): try? sync.send(.failed(prefix + message))
        case .failedAfterReady(let message): writeStderr("taurun: \(message)\n")
        case .abandoned: break
        }
        Processes.exitImmediately(1)
    }
}

extension InitKernel {
    func mount(source: String?, target: String, type: String?, flags: MountFlags, data: String?) throws(SyscallError) {
        try mount(source: source, target: target, type: type, flags: flags, data: data, display: nil)
    }
}
