import TaurunCgroups
import TaurunLinux
import TaurunOCI
import TaurunSeccomp
import CLinux

#if canImport(Glibc)
import Glibc
#endif

extension Runtime {
    /// `exec`: runs another process in a created or running container. It enters every namespace the container's
    /// init has that taurun does not share, joins the container's cgroup, and gets the process's own (or the
    /// container's) capabilities, rlimits, no_new_privs, AppArmor profile and the container's seccomp filter.
    /// In the foreground it waits, forwarding signals, and returns the process's exit code (128+N when killed by
    /// signal N); with `detach` it returns 0 as soon as the program is executing. The state dir is not locked
    /// meanwhile: a long exec must not block `kill` or `delete`.
    public func exec(id: String, options: ExecOptions) throws(RuntimeError) -> Int32 {
        try ContainerID.validate(id)
        let record = try store.load(id)
        switch status(of: record) {
        case .stopped: throw .container("cannot exec a container that has stopped")
        case .paused: throw .container("cannot exec in a paused container")
        case .creating: throw .container("cannot exec in a container that is still being created")
        case .created, .running: break
        }
        guard let initPid = record.pid else { throw .container("cannot exec a container that has stopped") }
        // The container's config gives the base process (no --process), the defaults and the seccomp profile.
        let spec: Spec
        do { spec = try Spec.load(path: record.bundle + "/config.json") } catch { throw .spec(error) }
        let process = try ExecProcess.resolve(options, container: spec)
        let plan = try ExecPlan.build(process: process, container: spec.process, options: options)
        let seccomp: SeccompProgram?
        do { seccomp = try spec.linux?.seccomp.map { s throws(SeccompError) in try SeccompCompiler.compile(s) } } catch {
            throw .seccomp(error.description)
        }
        try checkPreserved(fds: options.preserveFDs)

        let namespaces = try ContainerNamespaces.open(pid: initPid)
        defer { for ns in namespaces { close(ns.fd) } }
        // The fds now pin the namespaces; make sure they are the recorded init's, not a recycled pid's.
        guard Processes.isAlive(pid: initPid, startTime: record.pidStartTime) else {
            throw .container("cannot exec a container that has stopped")
        }
        var consoleFD: Int32 = -1
        if let socket = options.consoleSocket {
            do { consoleFD = try Terminal.connect(socketPath: socket) } catch { throw .system(error) }
        }
        // A terminal in the foreground without a console socket: taurun receives the pty master itself and relays.
        var relayFD: Int32 = -1
        if plan.terminal && options.consoleSocket == nil {
            var pair: [Int32] = [-1, -1]
            if socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) != 0 {
                throw .system(SyscallError("socketpair"))
            }
            relayFD = pair[0]
            consoleFD = pair[1]
        }
        defer { if consoleFD >= 0 { close(consoleFD) }; if relayFD >= 0 { close(relayFD) } }
        let channels: (parent: SyncChannel, child: SyncChannel)
        do { channels = try SyncChannel.pair() } catch { throw .system(error) }
        defer { channels.parent.close() }

        // Entering a pid (or time) namespace applies to the children of the caller only: join here, then fork.
        for ns in namespaces where ns.kind == .pid || ns.kind == .time {
            do { try Namespaces.join(fd: ns.fd, kind: ns.kind, path: ns.path) } catch { channels.child.close(); throw .system(error) }
        }
        // Seen from inside a pid namespace it did not start in, the child's parent is pid 0.
        let parentPid = namespaces.contains { $0.kind == .pid } ? 0 : getpid()
        let pid: pid_t
        do { pid = try Namespaces.clone(flags: 0) } catch { channels.child.close(); throw .system(error) }
        if pid == 0 {
            channels.parent.close()
            ExecInit(plan: plan, sync: channels.child, namespaces: namespaces, consoleSocketFD: consoleFD,
                     parentPid: parentPid, seccomp: seccomp).run()
        }
        channels.child.close()

        do {
            do { try cgroupManager(for: record).add(pid: pid) } catch { throw RuntimeError.cgroup(error.description) }
            try channels.parent.send(.go(""))
            // The socket is close-on-exec in the child: EOF means execve succeeded.
            switch try channels.parent.receive() {
            case nil: break
            case .failed(let message)?: throw RuntimeError.container(message)
            default: throw RuntimeError.container("unexpected message from the exec'd process")
            }
        } catch {
            Glibc.kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            if let error = error as? RuntimeError { throw error }
            if let error = error as? SyscallError { throw .system(error) }
            throw .container("\(error)")
        }
        if let pidFile = options.pidFile { try writePidFile(pidFile, pid: pid) }
        if options.detach { return 0 }
        if relayFD >= 0 {
            let master: Int32
            do { master = try Terminal.receiveFD(from: relayFD) } catch {
                Glibc.kill(pid, SIGKILL)
                _ = waitForeground(CreatedContainer(id: id, pid: pid))
                throw .system(error)
            }
            defer { close(master) }
            return ExecTerminalRelay(master: master, pid: pid).run()
        }
        return waitForeground(CreatedContainer(id: id, pid: pid))
    }

    /// `--preserve-fds N` hands fds 3…N+2 on; each must be open, or taurun's own fds could take their numbers.
    private func checkPreserved(fds count: Int32) throws(RuntimeError) {
        guard count > 0 else { return }
        for fd in 3..<(3 + count) where fcntl(fd, F_GETFD) < 0 {
            throw .usage("--preserve-fds \(count): fd \(fd) is not open")
        }
    }
}

/// The namespaces of a container's init that taurun is not already in.
enum ContainerNamespaces {
    /// Opens /proc/<pid>/ns/<kind> for every kind whose namespace differs from taurun's own (same device and inode
    /// means shared with the host: nothing to join, and joining one's own user namespace is an error).
    static func open(pid: Int32) throws(RuntimeError) -> [NamespaceHandle] {
        var handles: [NamespaceHandle] = []
        for kind in NamespaceKind.allCases {
            let theirs = "/proc/\(pid)/ns/\(kind.procName)", ours = "/proc/self/ns/\(kind.procName)"
            var a = statBuf(), b = statBuf()
            if stat(ours, &b) != 0 { continue }   // the kernel lacks this namespace type
            guard stat(theirs, &a) == 0 else {
                for h in handles { close(h.fd) }
                if errno == ENOENT || errno == ESRCH { throw .container("cannot exec a container that has stopped") }
                throw .system(SyscallError("stat", theirs))
            }
            if a.st_dev == b.st_dev && a.st_ino == b.st_ino { continue }
            do { handles.append(NamespaceHandle(kind: kind, fd: try Files.open(theirs, O_RDONLY), path: theirs)) } catch {
                for h in handles { close(h.fd) }
                throw .system(error)
            }
        }
        return handles
    }
}
