// The listener side of SCMP_ACT_NOTIFY, through libseccomp's notify API (which sizes the kernel structs with
// SECCOMP_GET_NOTIF_SIZES, so a newer kernel's larger structs still fit). Used by taurun's security monitor, a
// single-threaded process that holds the container's listener fd.

import CLinux
import CSeccomp

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One trapped system call: who made it and with which integer arguments (pointers are not followed: a decision
/// on memory the caller can still change would be racy).
public struct SeccompNotification: Sendable, Equatable {
    /// The kernel's cookie for this call; the response must carry it.
    public let id: UInt64
    /// The caller's pid, in the monitor's pid namespace.
    public let pid: UInt32
    /// The syscall number for `arch`.
    public let syscall: Int32
    /// AUDIT_ARCH_* of the call (also libseccomp's arch token).
    public let arch: UInt32
    public let args: [UInt64]

    public init(id: UInt64, pid: UInt32, syscall: Int32, arch: UInt32, args: [UInt64]) {
        self.id = id
        self.pid = pid
        self.syscall = syscall
        self.arch = arch
        self.args = args
    }
}

/// The buffers libseccomp allocates for one receive/respond round, reused for the monitor's lifetime.
public final class SeccompNotifyChannel {
    public let fd: Int32
    private let request: UnsafeMutablePointer<seccomp_notif>
    private let response: UnsafeMutablePointer<seccomp_notif_resp>

    public init(fd: Int32) throws(SeccompError) {
        var req: UnsafeMutablePointer<seccomp_notif>?
        var resp: UnsafeMutablePointer<seccomp_notif_resp>?
        let rc = seccomp_notify_alloc(&req, &resp)
        guard rc == 0, let req, let resp else {
            throw SeccompError(path: "linux.seccomp", message: "cannot allocate notification buffers",
                               call: "seccomp_notify_alloc", errno: -rc)
        }
        self.fd = fd
        self.request = req
        self.response = resp
    }

    deinit { seccomp_notify_free(request, response) }

    /// Blocks until a call is trapped. Throws with errno ENOENT when the caller died before it was read.
    public func receive() throws(SeccompError) -> SeccompNotification {
        // libseccomp wants a zeroed request (the kernel rejects garbage in it).
        memset(request, 0, MemoryLayout<seccomp_notif>.size)
        let rc = seccomp_notify_receive(fd, request)
        if rc != 0 {
            throw SeccompError(path: "linux.seccomp", message: "cannot receive a notification",
                               call: "seccomp_notify_receive", errno: rc < 0 ? -rc : errno)
        }
        let d = request.pointee.data
        return SeccompNotification(
            id: request.pointee.id, pid: request.pointee.pid, syscall: d.nr, arch: d.arch,
            args: [d.args.0, d.args.1, d.args.2, d.args.3, d.args.4, d.args.5])
    }

    /// Fails the trapped call with `errno` (positive). ENOENT from the kernel means the caller is gone: not an error.
    public func fail(_ notification: SeccompNotification, errno code: Int32) throws(SeccompError) {
        response.pointee.id = notification.id
        response.pointee.val = 0
        response.pointee.error = -code
        response.pointee.flags = 0
        let rc = seccomp_notify_respond(fd, response)
        if rc != 0 && rc != -ENOENT {
            throw SeccompError(path: "linux.seccomp", message: "cannot answer a notification",
                               call: "seccomp_notify_respond", errno: -rc)
        }
    }

    /// Lets the trapped call run as if the filter had allowed it (SECCOMP_USER_NOTIF_FLAG_CONTINUE). Only for calls
    /// the app's own bundle allows anyway, decided on integer arguments (taurun learn watches some of those): the
    /// kernel's warning about CONTINUE (the caller may rewrite pointed-to memory meanwhile) cannot widen what the
    /// bundle allows whatever that memory holds. ENOENT (the caller is gone) is not an error.
    public func allow(_ notification: SeccompNotification) throws(SeccompError) {
        response.pointee.id = notification.id
        response.pointee.val = 0
        response.pointee.error = 0
        response.pointee.flags = Self.flagContinue
        let rc = seccomp_notify_respond(fd, response)
        if rc != 0 && rc != -ENOENT {
            throw SeccompError(path: "linux.seccomp", message: "cannot answer a notification",
                               call: "seccomp_notify_respond", errno: -rc)
        }
    }

    /// Answers the trapped call with a new descriptor in the caller for the monitor's `fd` (SECCOMP_IOCTL_NOTIF_ADDFD
    /// with SECCOMP_ADDFD_FLAG_SEND, Linux 5.14+): the kernel installs it (close-on-exec when `closeOnExec`) and
    /// returns its number from the call, both in one step, so no other thread of the caller sees a half-answered
    /// call. What the caller gets is what the monitor opened, whatever the caller's memory says by now: the way to
    /// answer an open without SECCOMP_USER_NOTIF_FLAG_CONTINUE, whose re-read of the path is the caller's to swap.
    /// Returns the caller's fd number. Throws with errno ENOENT when the caller is gone, EINVAL or ENOTTY when the
    /// kernel lacks the flag (the call is then still parked: answer it).
    public func answer(_ notification: SeccompNotification, installing fd: Int32, closeOnExec: Bool) throws(SeccompError) -> Int32 {
        let installed = tr_seccomp_notify_addfd_send(self.fd, notification.id, fd, closeOnExec ? UInt32(O_CLOEXEC) : 0)
        if installed < 0 {
            throw SeccompError(path: "linux.seccomp", message: "cannot hand a descriptor to the trapped call",
                               call: "SECCOMP_IOCTL_NOTIF_ADDFD", errno: errno)
        }
        return installed
    }

    /// SECCOMP_USER_NOTIF_FLAG_CONTINUE (linux/seccomp.h, 5.5+).
    static let flagContinue: UInt32 = 1

    /// True while `notification` is still pending (SECCOMP_IOCTL_NOTIF_ID_VALID): its pid then still names the
    /// trapped task. Check it after pinning the pid (pidfd_open) and before acting on the process.
    public func isPending(_ notification: SeccompNotification) -> Bool {
        seccomp_notify_id_valid(fd, notification.id) == 0
    }

    /// The syscall's name for its architecture, or "syscall_<nr>" when libseccomp does not know it.
    public static func syscallName(_ number: Int32, arch: UInt32) -> String {
        guard let name = seccomp_syscall_resolve_num_arch(arch, number) else { return "syscall_\(number)" }
        defer { free(name) }
        return String(cString: name)
    }
}
