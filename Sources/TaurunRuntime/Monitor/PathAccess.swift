import TaurunAudit
import TaurunLinux
import TaurunSeccomp

#if canImport(Glibc)
import Glibc
#endif

/// What a parked open or connect of a learning app names, read from the app's memory while the call waits, and the
/// permission it shows (AccessPermission). Only `taurun learn`'s monitor reads an app's memory, and only to record:
/// the call then runs as the bundle lets it (SECCOMP_USER_NOTIF_FLAG_CONTINUE), so what the app could change
/// between the read and the call's own read of the same memory changes nothing but the record.
struct PathAccess: Equatable {
    /// The path as the app named it, made absolute; "@name" for an abstract UNIX address.
    let path: String
    /// The Tau permission it shows, nil when none (the app's own files, an unrelated socket).
    let permission: String?
    let syscall: String
    /// open(2)'s flags; nil for connect, and for an openat2 whose struct could not be read.
    let flags: UInt64?

    /// For the learn record: `openat("/dev/video0", O_RDWR)`, `connect(AF_UNIX, "/run/user/1000/wayland-0")`. Made
    /// only for a path that shows a permission.
    var call: String { ViolationExplainer.describeAccess(syscall: syscall, path: path, flags: flags) }

    /// The access of `call` (one of LearnMode.pathCalls), or nil when its path cannot be read (the app passed a bad
    /// pointer, or died) or it is not one learn classifies (connect of another family than AF_UNIX).
    static func read(_ call: SeccompNotification, name: String, grantedPaths: [String]) -> PathAccess? {
        let pid = pid_t(bitPattern: call.pid)
        let memory = ProcessMemory(pid: pid)
        func arg(_ i: Int) -> UInt64 { i < call.args.count ? call.args[i] : 0 }
        if name == "connect" {
            let length = min(Int(clamping: arg(2)), MemoryLayout<sockaddr_un>.size)
            guard let address = unixAddress(memory.bytes(at: arg(1), count: length)) else { return nil }
            return PathAccess(path: address, permission: AccessPermission.forConnect(path: address), syscall: name, flags: nil)
        }
        let atDirectory = name == "openat" || name == "openat2"
        let pathArg = atDirectory ? arg(1) : arg(0)
        let dirfd = atDirectory ? Int32(truncatingIfNeeded: arg(0)) : nil
        var flags = AccessPermission.openFlags(syscall: name, args: call.args)
        if name == "openat2", let how = memory.bytes(at: arg(2), count: 8), how.count == 8 {
            // struct open_how starts with the u64 flags (little-endian on every architecture taurun builds for).
            flags = how.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }
        guard let raw = memory.string(at: pathArg), let directory = directory(of: pid, dirfd: dirfd, relative: raw),
            let path = AccessPermission.absolute(raw, from: directory)
        else { return nil }
        let creates = (flags ?? 0) & 0o100 != 0  // O_CREAT
        let view = AccessPermission.ContainerView(
            exists: { Files.exists(path, inRoot: "/proc/\(pid)/root") },
            existsOnHost: {
                // The path, or for a create the directory it would be made in.
                let parent = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
                return Files.exists(path) || (creates && !parent.isEmpty && Files.isDirectory(parent))
            },
            grantedPaths: grantedPaths)
        return PathAccess(
            path: path, permission: AccessPermission.forOpen(path: path, flags: flags ?? 0, view: view), syscall: name,
            flags: flags)
    }

    /// The directory a relative path starts from: the caller's cwd, or what its dirfd names, as the container sees
    /// them (the kernel reports paths below the caller's root as seen from it). "/" for an absolute path.
    static func directory(of pid: pid_t, dirfd: Int32?, relative: String) -> String? {
        if relative.hasPrefix("/") { return "/" }
        let link = dirfd == nil || dirfd == AT_FDCWD ? "/proc/\(pid)/cwd" : "/proc/\(pid)/fd/\(dirfd!)"
        return try? Files.readLink(link)
    }

    /// The path of a sockaddr_un: sun_path up to its NUL, or "@" and the bytes that follow a leading NUL (an
    /// abstract address, as long as the address length says). nil for another family.
    static func unixAddress(_ bytes: [UInt8]?) -> String? {
        guard let bytes, bytes.count > 2, UInt16(bytes[0]) | UInt16(bytes[1]) << 8 == UInt16(AF_UNIX) else { return nil }
        let name = bytes[2...]
        if name.first == 0 { return "@" + String(decoding: name.dropFirst(), as: UTF8.self) }
        return String(decoding: name.prefix { $0 != 0 }, as: UTF8.self)
    }
}
