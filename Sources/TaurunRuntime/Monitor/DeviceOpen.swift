import TaurunAudit
import TaurunLinux
import TaurunSeccomp

#if canImport(Glibc)
import Glibc
#endif

/// A parked open of an app with asked devices that names one of them: which device, the path as the app named it
/// (made absolute) and the open's flags. Read from the app's memory and resolved inside the container while the
/// call waits.
///
/// What is read here only chooses the question: the app can change its memory (or swap a symlink) the moment after,
/// so nothing read is ever let run as the app's own call for an asked device. An open that resolves to one is
/// answered with the monitor's own descriptor of the node or with an error, never with
/// SECCOMP_USER_NOTIF_FLAG_CONTINUE; an open that resolves to anything else runs on (CONTINUE), and if by the time it
/// runs the app made it name an asked device, the device cgroup refuses it (EPERM), as it refuses every open of an
/// asked device by the app itself.
struct DeviceOpen: Equatable {
    let device: AskedDevice
    let path: String
    let flags: UInt64
    let syscall: String

    /// `openat("/dev/video0", O_RDWR)`, for the question and the records.
    var call: String { ViolationExplainer.describeAccess(syscall: syscall, path: path, flags: flags) }

    static let openPath: UInt64 = 0o10000000  // O_PATH: opens no device, the kernel decides it alone
    static let noFollow: UInt64 = 0o400000  // O_NOFOLLOW

    /// The path is resolved as the kernel would (`..` after a symlink included), not tidied by hand first. The asked
    /// device `call` (one of AskedDevice.openCalls) opens, nil when it names none of them, or names one
    /// with O_PATH (which opens nothing), or cannot be read (a bad pointer, a dead caller).
    /// `root`: a descriptor of the container's root directory (every process of the app has the init's: it can
    /// neither chroot nor unshare its mount namespace).
    static func read(_ call: SeccompNotification, name: String, devices: [AskedDevice], root: Int32) -> DeviceOpen? {
        let pid = pid_t(bitPattern: call.pid)
        let memory = ProcessMemory(pid: pid)
        func arg(_ i: Int) -> UInt64 { i < call.args.count ? call.args[i] : 0 }
        let atDirectory = name == "openat" || name == "openat2"
        var flags = AccessPermission.openFlags(syscall: name, args: call.args) ?? 0
        if name == "openat2" {
            // struct open_how starts with the u64 flags (little-endian on every architecture taurun builds for).
            guard let how = memory.bytes(at: arg(2), count: 8), how.count == 8 else { return nil }
            flags = how.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }
        guard flags & openPath == 0,
            let raw = memory.string(at: atDirectory ? arg(1) : arg(0)),
            let directory = PathAccess.directory(of: pid, dirfd: atDirectory ? Int32(truncatingIfNeeded: arg(0)) : nil, relative: raw),
            !raw.isEmpty,
            case let path = raw.hasPrefix("/") ? raw : directory + "/" + raw,
            let number = DeviceNumber.ofCharacterDevice(path, inRootFD: root, followingLastSymlink: flags & noFollow == 0),
            let device = devices.first(where: { $0.number == number })
        else { return nil }
        return DeviceOpen(device: device, path: path, flags: flags, syscall: name)
    }
}
