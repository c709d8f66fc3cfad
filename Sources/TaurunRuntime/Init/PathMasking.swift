import TaurunLinux
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// maskedPaths and readonlyPaths, applied after pivot_root. Each path is opened without following any symlink
/// (RESOLVE_NO_SYMLINKS) and mounted over through its fd, and /dev/null is checked to be the real 1:3 device, so
/// an image cannot redirect a mask onto something else (CVE-2025-31133 class). The fds are named to mount(2)
/// through `procfs`, a handle proven to be procfs and opened before pivot_root, never through the container's
/// /proc/self/fd: a mount over that would turn every mask into a mask of a decoy.
enum PathMasking {
    /// `procfs`: the handle from RootfsBuilder.enter.
    static func mask<K: InitKernel>(_ paths: [String], procfs: K.ProcHandle, kernel: K) throws {
        guard !paths.isEmpty else { return }
        let null = try kernel.openat2(-100, "/dev/null", flags: Files.pathOnly, resolve: Files.resolveNoSymlinks, display: nil)
        defer { kernel.close(null) }
        let st = try kernel.stat(fd: null)
        guard FileKind(mode: st.st_mode) == .characterDevice, DeviceNumber(rdev: UInt64(st.st_rdev)) == DeviceNumber(major: 1, minor: 3) else {
            throw RuntimeError.container("/dev/null in the container is not the null device; refusing to mask paths with it")
        }
        try kernel.withFDPaths(procfs) { fdPath in
            for path in paths {
                guard let fd = try openNoFollow(path, kernel: kernel) else { continue }
                defer { kernel.close(fd) }
                let target = fdPath(fd)
                if FileKind(mode: try kernel.stat(fd: fd).st_mode) == .directory {
                    try kernel.mount(source: "tmpfs", target: target, type: "tmpfs", flags: .readOnly, data: nil, display: path)
                } else {
                    try kernel.mount(source: fdPath(null), target: target, type: nil, flags: .bind, data: nil, display: path)
                }
            }
        }
    }

    static func makeReadOnly<K: InitKernel>(_ paths: [String], procfs: K.ProcHandle, kernel: K) throws {
        guard !paths.isEmpty else { return }
        try kernel.withFDPaths(procfs) { fdPath in
            for path in paths {
                guard let fd = try openNoFollow(path, kernel: kernel) else { continue }
                try kernel.mount(source: fdPath(fd), target: fdPath(fd), type: nil, flags: [.bind, .recursive], data: nil, display: path)
                kernel.close(fd)
                guard let again = try openNoFollow(path, kernel: kernel) else { continue }
                defer { kernel.close(again) }
                let locked = kernel.lockedFlags(of: fdPath(again))
                try kernel.mount(source: nil, target: fdPath(again), type: nil,
                                 flags: locked.union([.bind, .remount, .readOnly, .recursive]), data: nil, display: path)
            }
        }
    }

    /// nil when the path does not exist (skipped, as runc does); an error when a symlink is on the way.
    private static func openNoFollow<K: InitKernel>(_ path: String, kernel: K) throws -> Int32? {
        let opened = Result { () throws(SyscallError) -> Int32 in
            try kernel.openat2(-100, path, flags: Files.pathOnly | O_NOFOLLOW,
                               resolve: Files.resolveNoSymlinks | Files.resolveNoMagicLinks, display: nil)
        }
        switch opened {
        case .success(let fd): return fd
        case .failure(let error) where error.errno == .noSuchFileOrDirectory || error.errno == .notDirectory: return nil
        case .failure(let error): throw error
        }
    }
}
