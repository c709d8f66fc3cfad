import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// maskedPaths and readonlyPaths, applied after pivot_root. Each path is opened without following any symlink
/// (RESOLVE_NO_SYMLINKS) and mounted over through its fd, and /dev/null is checked to be the real 1:3 device, so
/// an image cannot redirect a mask onto something else (CVE-2025-31133 class). The fds are named to mount(2)
/// through `procfs`, a handle proven to be procfs and opened before pivot_root, never through the container's
/// /proc/self/fd: a mount over that would turn every mask into a mask of a decoy.
enum PathMasking {
    /// `procfs`: the handle from RootfsBuilder.enter; without one a private procfs instance is opened here.
    static func mask(_ paths: [String], procfs: ProcFS? = nil) throws {
        guard !paths.isEmpty else { return }
        let proc = try procfs ?? ProcFS.open()
        defer { if procfs == nil { proc.close() } }
        let null = try Files.openat2(-100, "/dev/null", flags: Files.pathOnly, resolve: Files.resolveNoSymlinks)
        defer { close(null) }
        let st = try Files.stat(fd: null)
        guard (st.st_mode & 0o170000) == 0o020000, st.st_rdev == makeDevice(1, 3) else {
            throw RuntimeError.container("/dev/null in the container is not the null device; refusing to mask paths with it")
        }
        try proc.withFDPaths { fdPath in
            for path in paths {
                guard let fd = try openNoFollow(path) else { continue }
                defer { close(fd) }
                let target = fdPath(fd)
                if (try Files.stat(fd: fd).st_mode & 0o170000) == 0o040000 {
                    try Mounts.mount(source: "tmpfs", target: target, type: "tmpfs", flags: .readOnly, data: nil, display: path)
                } else {
                    try Mounts.mount(source: fdPath(null), target: target, type: nil, flags: .bind, data: nil, display: path)
                }
            }
        }
    }

    static func makeReadOnly(_ paths: [String], procfs: ProcFS? = nil) throws {
        guard !paths.isEmpty else { return }
        let proc = try procfs ?? ProcFS.open()
        defer { if procfs == nil { proc.close() } }
        try proc.withFDPaths { fdPath in
            for path in paths {
                guard let fd = try openNoFollow(path) else { continue }
                try Mounts.mount(source: fdPath(fd), target: fdPath(fd), type: nil, flags: [.bind, .recursive], data: nil, display: path)
                close(fd)
                guard let again = try openNoFollow(path) else { continue }
                defer { close(again) }
                let locked = Mounts.lockedFlags(of: fdPath(again))
                try Mounts.mount(source: nil, target: fdPath(again), type: nil,
                                 flags: locked.union([.bind, .remount, .readOnly, .recursive]), data: nil, display: path)
            }
        }
    }

    /// nil when the path does not exist (skipped, as runc does); an error when a symlink is on the way.
    private static func openNoFollow(_ path: String) throws -> Int32? {
        let opened = Result { () throws(SyscallError) -> Int32 in
            try Files.openat2(-100, path, flags: Files.pathOnly | O_NOFOLLOW,
                              resolve: Files.resolveNoSymlinks | Files.resolveNoMagicLinks)
        }
        switch opened {
        case .success(let fd): return fd
        case .failure(let error) where error.errno == .noSuchFileOrDirectory || error.errno == .notDirectory: return nil
        case .failure(let error): throw error
        }
    }

    static func makeDevice(_ major: UInt32, _ minor: UInt32) -> UInt {
        let maj = UInt(major), min = UInt(minor)
        return ((maj & 0xfffff000) << 32) | ((maj & 0xfff) << 8) | ((min & 0xffffff00) << 12) | (min & 0xff)
    }
}

/// /etc/passwd of the container, read directly (no NSS inside a container).
enum UserDatabase {
    static func home(uid: UInt32) -> String? {
        guard let text = try? Files.readString("/etc/passwd") else { return nil }
        for line in text.split(separator: "\n") {
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            if f.count >= 6, UInt32(f[2]) == uid { return String(f[5]) }
        }
        return nil
    }
}
