import Testing
@testable import TaurunAudit

/// Which permission a path shows when a learning app opens it or connects to it (the paths docs/permissions.md
/// lists for each permission), and what shows none.
@Suite struct AccessPermissionTests {
    static let outside = AccessPermission.ContainerView(exists: false, existsOnHost: true, grantedPaths: [])
    static let absent = AccessPermission.ContainerView(exists: false, existsOnHost: false, grantedPaths: [])
    static let inside = AccessPermission.ContainerView(exists: true, existsOnHost: true, grantedPaths: ["/srv/media"])

    @Test func devicesShowTheirPermissionWhetherOrNotTheyExist() {
        for (path, permission) in [
            ("/dev/video0", "camera"), ("/dev/dri/renderD128", "gpu"), ("/dev/snd/pcmC0D0c", "microphone"),
            ("/dev/snd/pcmC1D3p", "audio"), ("/dev/snd/seq", "audio"),
        ] {
            #expect(AccessPermission.forOpen(path: path, flags: 2, view: Self.absent) == permission, "\(path)")
        }
        // ALSA's control and timer nodes come with microphone and audio alike; the sandbox's own /dev nodes are none.
        for path in ["/dev/snd/controlC0", "/dev/snd/timer", "/dev/null", "/dev/pts/0"] {
            #expect(AccessPermission.forOpen(path: path, flags: 2, view: Self.outside) == nil, "\(path)")
        }
    }

    @Test func hostFilesAbsentInsideNeedFilesystemInTheModeOfTheOpen() {
        #expect(AccessPermission.forOpen(path: "/srv/media/a.ogg", flags: 0, view: Self.outside) == "filesystem:ro")
        #expect(AccessPermission.forOpen(path: "/srv/media/a.ogg", flags: 0o1101, view: Self.outside) == "filesystem:rw")
        #expect(AccessPermission.forOpen(path: "/srv/out", flags: 0o2001, view: Self.outside) == "filesystem:rw")
        // Nowhere at all: nothing a grant could give.
        #expect(AccessPermission.forOpen(path: "/srv/missing", flags: 0, view: Self.absent) == nil)
        // The sandbox's own places are never a grant's, present on the host or not.
        for path in ["/proc/self/status", "/tmp/x", "/home/app/notes", "/sys/class/net", "/run/user/1000/x"] {
            #expect(AccessPermission.forOpen(path: path, flags: 0, view: Self.outside) == nil, "\(path)")
        }
    }

    @Test func insideTheContainerOnlyGrantedPathsAreUses() {
        #expect(AccessPermission.forOpen(path: "/srv/media/a.ogg", flags: 0, view: Self.inside) == "filesystem:ro")
        #expect(AccessPermission.forOpen(path: "/srv/media", flags: 0o200000, view: Self.inside) == "filesystem:ro")
        // /srv/mediaX is not below /srv/media; /etc/passwd is the app's own rootfs.
        #expect(AccessPermission.forOpen(path: "/srv/mediaX/a", flags: 0, view: Self.inside) == nil)
        #expect(AccessPermission.forOpen(path: "/etc/passwd", flags: 0, view: Self.inside) == nil)
        // A granted path may lie below a place the sandbox has its own of (a data directory in the host's /tmp).
        let granted = AccessPermission.ContainerView(exists: true, existsOnHost: true, grantedPaths: ["/tmp/data"])
        #expect(AccessPermission.forOpen(path: "/tmp/data/x", flags: 1, view: granted) == "filesystem:rw")
        #expect(AccessPermission.forOpen(path: "/tmp/other", flags: 1, view: granted) == nil)
    }

    /// Every open of a learning app is classified: where the path's place decides (a device, the sandbox's own
    /// /proc, /tmp, home), neither the container nor the host is looked at; inside the rootfs, only the container.
    @Test func lookupsAreMadeOnlyWhereThePlaceDoesNotDecide() {
        let untouched = AccessPermission.ContainerView(
            exists: { Issue.record("looked inside"); return true }, existsOnHost: { Issue.record("looked on the host"); return true },
            grantedPaths: [])
        for path in ["/dev/video0", "/proc/self/maps", "/tmp/x", "/home/app/notes"] {
            _ = AccessPermission.forOpen(path: path, flags: 0, view: untouched)
        }
        let insideOnly = AccessPermission.ContainerView(
            exists: { true }, existsOnHost: { Issue.record("looked on the host"); return true }, grantedPaths: [])
        #expect(AccessPermission.forOpen(path: "/etc/passwd", flags: 0, view: insideOnly) == nil)
    }

    @Test func soundAndDisplaySocketsAreTheirPermissionsOtherSocketsNone() {
        #expect(AccessPermission.forConnect(path: "/run/user/1000/pulse/native") == "audio")
        #expect(AccessPermission.forConnect(path: "/run/user/1000/pipewire-0") == "audio")
        #expect(AccessPermission.forConnect(path: "/run/user/1000/wayland-1") == "display")
        #expect(AccessPermission.forConnect(path: "/tmp/.X11-unix/X0") == "display")
        #expect(AccessPermission.forConnect(path: "@/tmp/.X11-unix/X0") == "display")
        #expect(AccessPermission.forConnect(path: "/home/app/.cache/app.sock") == nil)
        #expect(AccessPermission.forConnect(path: "@dbus-x") == nil)
    }

    @Test func relativePathsAreJoinedAndNormalisedLexically() {
        #expect(AccessPermission.absolute("video0", from: "/dev") == "/dev/video0")
        #expect(AccessPermission.absolute("../srv/./a", from: "/home") == "/srv/a")
        #expect(AccessPermission.absolute("/../../etc//passwd", from: "/x") == "/etc/passwd")
        #expect(AccessPermission.absolute("", from: "/") == nil)
    }

    @Test func theEvidenceShowsThePathEscapedAndTheOpenFlags() {
        #expect(ViolationExplainer.describeAccess(syscall: "openat", path: "/dev/video0", flags: 0o2) == "openat(\"/dev/video0\", O_RDWR)")
        #expect(ViolationExplainer.describeAccess(syscall: "open", path: "/srv/a", flags: 0o1101) == "open(\"/srv/a\", O_WRONLY|O_CREAT|O_TRUNC)")
        #expect(ViolationExplainer.describeAccess(syscall: "openat2", path: "/srv/a", flags: nil) == "openat2(\"/srv/a\")")
        // A path is the app's: a newline or an escape sequence must not reach the reader's terminal as such.
        #expect(ViolationExplainer.describeAccess(syscall: "connect", path: "/tmp/\u{1B}[2J\n\"x", flags: nil)
                == "connect(AF_UNIX, \"/tmp/\\x1b[2J\\x0a\\\"x\")")
    }
}
