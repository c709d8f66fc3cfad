#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import TauSandbox

@Suite(.serialized) struct HostProbeTests {
    @Test(.enabled(if: TestSupport.isRoot, "mknod needs root"))
    func devicesAreFoundByRoleWithNumbersAndGroup() throws {
        let root = TestSupport.temporaryDirectory("devroot")
        defer { TestSupport.remove(root) }
        _ = mkdir(root + "/dri", 0o755)
        _ = mkdir(root + "/snd", 0o755)
        func node(_ path: String, _ major: UInt32, _ minor: UInt32) {
            // makedev: glibc's encoding, as HostProbe decodes it.
            let device = (UInt64(major & 0xFFF) << 8) | (UInt64(major & ~0xFFF) << 32) | UInt64(minor & 0xFF) | (UInt64(minor & ~0xFF) << 12)
            _ = mknod(root + "/" + path, S_IFCHR | 0o660, dev_t(device))
            _ = chown(root + "/" + path, 0, 44)
            _ = chmod(root + "/" + path, 0o660)  // mknod's mode went through the umask
        }
        node("video0", 81, 0)
        node("video12", 81, 12)
        node("videodev", 81, 99)  // not video[0-9]+
        node("dri/renderD128", 226, 128)
        node("snd/pcmC0D0c", 116, 24)
        node("snd/pcmC0D0p", 116, 16)
        node("snd/controlC0", 116, 0)
        TestSupport.write(root + "/video9", "a regular file is not a camera")
        let found = HostProbe.devices(deviceRoot: root)
        let byPath = Dictionary(uniqueKeysWithValues: found.map { ($0.containerPath, $0) })
        #expect(Set(byPath.keys) == ["/dev/video0", "/dev/video12", "/dev/dri/renderD128", "/dev/snd/pcmC0D0c", "/dev/snd/pcmC0D0p", "/dev/snd/controlC0"])
        #expect(byPath["/dev/video12"]?.role == .camera && byPath["/dev/video12"]?.minor == 12 && byPath["/dev/video12"]?.major == 81)
        #expect(byPath["/dev/dri/renderD128"]?.role == .gpu && byPath["/dev/dri/renderD128"]?.minor == 128)
        #expect(byPath["/dev/snd/pcmC0D0c"]?.role == .soundCapture)
        #expect(byPath["/dev/snd/pcmC0D0p"]?.role == .soundPlayback)
        #expect(byPath["/dev/snd/controlC0"]?.role == .soundControl)
        #expect(byPath["/dev/video0"]?.gid == 44 && byPath["/dev/video0"]?.needsGroup == true)
    }

    @Test func socketsComeFromTheCallersSession() throws {
        let runtime = TestSupport.temporaryDirectory("xdg")
        defer { TestSupport.remove(runtime) }
        _ = mkdir(runtime + "/pulse", 0o755)
        for path in [runtime + "/pulse/native", runtime + "/wayland-1"] {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (index, byte) in path.utf8.enumerated() where index < buffer.count - 1 { buffer[index] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            #expect(bound == 0)
        }
        let sockets = HostProbe.sockets(environment: ["XDG_RUNTIME_DIR": runtime, "WAYLAND_DISPLAY": "wayland-1"])
        #expect(sockets.map(\.role) == [.pulseAudio, .wayland])
        #expect(sockets.first?.containerPath == "/run/user/1000/pulse/native")
        #expect(sockets.last?.environment == ["WAYLAND_DISPLAY": "wayland-0"])
        #expect(HostProbe.sockets(environment: ["XDG_RUNTIME_DIR": runtime, "WAYLAND_DISPLAY": "../etc"]).map(\.role) == [.pulseAudio])
        #expect(HostProbe.sockets(environment: [:]).isEmpty)
    }
}
