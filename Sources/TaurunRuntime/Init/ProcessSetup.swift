import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// The last steps before execve that the container's first process (ContainerInit) and a process added by
/// `exec` (ExecInit) share. They run in the child, inside the container's mount namespace, single-threaded.
enum ProcessSetup {
    /// Go's exec.LookPath as runc uses it: a name with a slash is taken as is, otherwise the process's own PATH
    /// (the container's, not taurun's) is searched. The error texts are runc's, because Podman maps
    /// "executable file not found" and "no such file or directory" to exit 127 and "permission denied" to 126.
    static func lookPath(_ name: String, env: [String]) -> (path: String?, error: String?) {
        if name.contains("/") {
            var st = statBuf()
            if stat(name, &st) != 0 { return (nil, "exec \(name): \(String(cString: strerror(errno)).lowercased())") }
            if (st.st_mode & 0o170000) == 0o040000 { return (nil, "exec \(name): is a directory") }
            if access(name, X_OK) != 0 { return (nil, "exec \(name): permission denied") }
            return (name, nil)
        }
        let pathVar = env.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
            ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        var denied = false
        for dir in pathVar.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + name
            var st = statBuf()
            guard stat(candidate, &st) == 0, (st.st_mode & 0o170000) == 0o100000 else { continue }
            if access(candidate, X_OK) == 0 { return (candidate, nil) }
            denied = true
        }
        if denied { return (nil, "exec: \"\(name)\": permission denied") }
        return (nil, "exec: \"\(name)\": executable file not found in $PATH")
    }

    /// CVE-2024-21626: a cwd reached through a leaked fd would sit outside the root ("(unreachable)/...").
    static func checkCwdIsInside() throws {
        var buf = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buf, buf.count) != nil else { throw SyscallError("getcwd") }
        let cwd = String(cString: buf)
        if !cwd.hasPrefix("/") {
            throw RuntimeError.container("current working directory is outside of container mount namespace root -- possible container breakout detected")
        }
    }

    /// The process's environment with HOME added from the container's /etc/passwd when the config does not set it.
    static func environment(_ env: [String], uid: UInt32) -> [String] {
        if env.contains(where: { $0.hasPrefix("HOME=") }) { return env }
        return env + ["HOME=" + (UserDatabase.home(uid: uid) ?? "/")]
    }

    /// A new pty through the container's /dev/ptmx (we are in its mount namespace by now), so the slave is a node
    /// of the container's devpts: the master goes to whoever listens on the console socket, the slave becomes the
    /// controlling terminal and stdio.
    static func setUpConsole(socketFD: Int32, size: (rows: UInt16, cols: UInt16)?) throws {
        let pair = try Terminal.openPair(rows: size?.rows ?? 0, cols: size?.cols ?? 0)
        if socketFD >= 0 {
            try Terminal.sendFD(over: socketFD, fd: pair.master, name: "/dev/ptmx")
            close(socketFD)
        }
        close(pair.master)
        try Terminal.becomeControlling(slave: pair.slave)
    }
}
