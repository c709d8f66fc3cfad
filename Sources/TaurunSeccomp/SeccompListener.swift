// Hands the seccomp-notify fd to the agent at linux.seccomp.listenerPath (config-linux.md "listenerPath"): one
// AF_UNIX SOCK_STREAM connection per container, one message holding the "container process state" JSON with the fd
// attached as SCM_RIGHTS, then the connection is closed. Runs in the runtime (parent), after the child loaded the
// filter and passed the listener fd back.

import TaurunLinux
import TaurunOCI
import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

public enum SeccompListener {
    /// The "container process state" document: `{"ociVersion", "fds": ["seccompFd"], "pid", "metadata", "state"}`,
    /// `fds` naming, in order, the descriptors sent with it.
    public static func containerProcessState(pid: Int32, metadata: String?, state: State) -> [UInt8] {
        var members: [JSONValue.Member] = [("ociVersion", .string(state.ociVersion)), ("fds", .array([.string("seccompFd")])), ("pid", .number(pid))]
        if let metadata { members.append(("metadata", .string(metadata))) }
        members.append(("state", state.json))
        // Sorted like state.json (compactJSON), so the embedded state reads the same in both.
        return JSONWriter(indent: nil, keyOrder: .sorted).write(.object(members))
    }

    /// Connects to `listenerPath`, sends the container process state with `listenerFD` attached, and closes the
    /// connection. The spec requires an error if sending fails.
    public static func send(listenerFD: Int32, to listenerPath: String, pid: Int32, metadata: String?, state: State) throws(SeccompError) {
        let path = "linux.seccomp.listenerPath"
        let socket: Int32
        do {
            socket = try UnixSocket.connect(.path(listenerPath))
        } catch {
            throw SeccompError(path: path, message: "cannot connect to the seccomp agent at \(listenerPath)", call: error.call,
                               errno: error.errno.rawValue)
        }
        defer { Files.close(socket) }
        let message = containerProcessState(pid: pid, metadata: metadata, state: state)
        do { try UnixSocket.sendFD(over: socket, fd: listenerFD, message: message) } catch {
            throw SeccompError(path: path, message: "cannot send the seccomp fd to the agent at \(listenerPath)",
                               call: "sendmsg(SCM_RIGHTS)", errno: error.errno.rawValue)
        }
    }
}
