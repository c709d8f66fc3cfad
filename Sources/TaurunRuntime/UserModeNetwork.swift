import TaurunLinux
import TaurunOCI
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// A Tau app's route out of its own network namespace: slirp4netns (a user-mode TCP/IP stack, Debian package
/// slirp4netns) attached to the namespace through a tap device. `taurun network-hook`, the createRuntime hook that
/// `taurun convert` writes into a network-granted app's bundle, calls `start`; runc, crun and taurun run it the same
/// way, in the runtime's namespaces, with the container's state (its init's pid) on stdin.
///
/// In the namespace the app sees `tap0` 10.0.2.100/24, the default route through 10.0.2.2 and a DNS forwarder at
/// 10.0.2.3 (the bundle's /etc/resolv.conf names it). Connections leave from the host as ordinary sockets of
/// slirp4netns, so the app reaches what any host process reaches on the host's non-loopback addresses and beyond,
/// but not the host's loopback (`--disable-host-loopback`: 10.0.2.2 is not 127.0.0.1), nor any abstract UNIX socket
/// or loopback port of the host or of another app: those live in other network namespaces.
///
/// Lifetime: slirp4netns gets a pidfd of the container's init as its `--exit-fd` and exits when that becomes
/// readable, that is when the init exits. Nothing else has to stop it: not `delete`, and not the runtime process,
/// which may be gone (SIGKILLed) while the app runs on with its route.
public enum UserModeNetwork {
    /// How long the hook waits for the tap to be configured. slirp4netns takes ~10 ms here.
    static let readyTimeoutMilliseconds: Int32 = 10_000

    /// The fields of the OCI state (runtime.md "State") the hook needs.
    struct HookState: Decodable {
        var id: String
        var pid: Int32?
    }

    /// The slirp4netns command line for the init `pid`: fd 3 is the pidfd (exit-fd), fd 4 the ready pipe.
    static func arguments(slirp4netns: String, pid: Int32, sandbox: Bool) -> [String] {
        var arguments = [slirp4netns, "--configure", "--mtu=65520", "--disable-host-loopback", "--exit-fd=3", "--ready-fd=4"]
        // Its own mount namespace with nothing but what it needs, and capabilities dropped: only where it may make
        // one (root; an ordinary user's slirp4netns cannot unshare a mount namespace in the host's user namespace).
        if sandbox { arguments.append("--enable-sandbox") }
        arguments += ["--userns-path=/proc/\(pid)/ns/user", "--netns-type=path", "/proc/\(pid)/ns/net", "tap0"]
        return arguments
    }

    /// Starts slirp4netns for the container whose OCI state JSON is `state`, and returns once its tap device is
    /// up (slirp4netns wrote its ready byte). On failure nothing is left running and the error carries
    /// slirp4netns's own last words.
    public static func start(state: [UInt8], slirp4netns: String) throws(RuntimeError) {
        let decoded: HookState
        do { decoded = try JSONCoding.decode(HookState.self, from: state, file: "the container state on stdin") } catch {
            throw .usage(error.description)
        }
        guard let pid = decoded.pid, pid > 0 else {
            throw .usage("the container state on stdin has no pid: run this as a createRuntime hook")
        }
        // Pinned before anything is started: the route ends with exactly this process, even if its pid is reused.
        guard let initProcess = Pidfd(pid: pid) else {
            throw .system(SyscallError("pidfd_open", "container \(decoded.id) init \(pid)"))
        }
        defer { initProcess.close() }
        let ready: (read: Int32, write: Int32)
        let log: Int32
        do {
            ready = try Files.pipe()
            log = try DetachedProgram.outputFile(name: "slirp4netns")
        } catch { throw .system(error) }
        defer { Files.close(ready.read); Files.close(log) }
        let slirp: pid_t
        do {
            slirp = try DetachedProgram.spawn(
                slirp4netns, arguments: arguments(slirp4netns: slirp4netns, pid: pid, sandbox: ProcessIdentity.effectiveUID == 0),
                environment: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], output: log, passing: [initProcess.fd, ready.write])
        } catch {
            Files.close(ready.write)
            throw .system(error)
        }
        Files.close(ready.write)
        if let reason = awaitReady(ready.read) {
            // Not ready: gone (its ready pipe closed) or hung. Either way it must not outlive this failure.
            Processes.signalChild(slirp, SIGKILL)
            _ = try? Processes.wait(slirp)
            let words = firstLine(of: log)
            throw .container("slirp4netns for container \(decoded.id) \(reason)" + (words.isEmpty ? "" : ": \(words)"))
        }
        // Ready and running on its own: it is reparented when this hook exits, and ends with the init.
    }

    /// nil once slirp4netns wrote its ready byte; otherwise why not.
    private static func awaitReady(_ fd: Int32) -> String? {
        // A failed poll falls through to the read, which then says what the pipe holds.
        var state: Readiness.State? = nil
        while true {
            do {
                guard let states = try Readiness.wait([fd], timeoutMilliseconds: Int(readyTimeoutMilliseconds)) else { continue }
                state = states[0]
            } catch {}
            break
        }
        if state == .quiet { return "did not configure the network within \(readyTimeoutMilliseconds / 1000) s" }
        var byte: [UInt8] = [0]
        var n: Int? = nil
        while n == nil { do { n = try DescriptorRead.some(fd, into: &byte) } catch { n = -1 } }
        return n == 1 && byte[0] == UInt8(ascii: "1") ? nil : "exited before the network was up"
    }

    /// The first non-empty line slirp4netns printed: its error when it failed (a usage text may follow).
    private static func firstLine(of fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        guard let n = try? DescriptorRead.some(fd, into: &buffer, offset: 0), n > 0 else { return "" }
        let text = String(decoding: buffer[0..<n], as: UTF8.self)
        return text.split(separator: "\n").first.map(String.init) ?? ""
    }
}
