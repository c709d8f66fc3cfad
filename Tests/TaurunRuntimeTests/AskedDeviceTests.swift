import Testing
import TaurunLinux
import TaurunOCI
@testable import TaurunRuntime

#if canImport(Glibc)
import Glibc
#endif

/// The devices an on_violation = "ask" app is asked about at runtime: read from the bundle, the filter that routes
/// its opens to the monitor, and how the monitor tells that an open names one (docs/prompts.md, "Devices").
@Suite struct AskedDeviceTests {
    static let annotations = [
        "org.tauos.app.id": "org.tauos.studio", "org.tauos.app.on_violation": "ask", "org.tauos.app.state_dir": "/var/lib/taurun",
        "org.tauos.app.permissions.denied": "camera,microphone",
        "org.tauos.app.devices.asked": "camera:/dev/video0:81:0,microphone:/dev/snd/pcmC0D0c:116:3",
    ]
    static let mounts = [
        Mount(destination: "/dev/video0", type: "bind", source: "/dev/video0", options: ["bind"]),
        Mount(destination: "/dev/snd/pcmC0D0c", type: "bind", source: "/host/dev/snd/pcmC0D0c", options: ["bind"]),
    ]

    @Test func theBundleNamesEachDeviceAndItsHostNode() throws {
        let policy = try #require(try TauAppPolicy.from(annotations: Self.annotations, mounts: Self.mounts))
        #expect(policy.askedDevices == [
            AskedDevice(permission: "camera", containerPath: "/dev/video0", hostPath: "/dev/video0", number: DeviceNumber(major: 81, minor: 0)),
            AskedDevice(permission: "microphone", containerPath: "/dev/snd/pcmC0D0c", hostPath: "/host/dev/snd/pcmC0D0c",
                        number: DeviceNumber(major: 116, minor: 3)),
        ])
        // Only under ask.
        var deny = Self.annotations
        deny["org.tauos.app.on_violation"] = "deny"
        #expect(try TauAppPolicy.from(annotations: deny, mounts: Self.mounts)?.askedDevices == [])
    }

    /// An entry taurun cannot read, or one whose node the bundle does not bind, is refused naming the annotation: a
    /// device silently left unasked would be one the app can never be given.
    @Test func anUnreadableEntryIsAnError() {
        for value in ["camera:/dev/video0:81", "gpu:/dev/dri/card0:226:0", "camera:/tmp/x:81:0", "camera:/dev/video0:x:0"] {
            var annotations = Self.annotations
            annotations["org.tauos.app.devices.asked"] = value
            #expect(throws: RuntimeError.self) { try TauAppPolicy.from(annotations: annotations, mounts: Self.mounts) }
        }
        #expect(throws: RuntimeError.self) { try TauAppPolicy.from(annotations: Self.annotations, mounts: [Self.mounts[0]]) }
    }

    /// The opens the bundle allows go to the monitor; one it refuses stays a refusal the monitor never lets run.
    @Test func allowedOpensAreWatchedAndRefusedOnesStayRefused() {
        let monitored = TauAppPolicy.monitored(LinuxSeccomp(defaultAction: .killProcess, architectures: [.x86_64], syscalls: [
            LinuxSyscall(names: ["read", "openat", "open", "connect"], action: .allow),
            LinuxSyscall(names: ["openat2"], action: .allow, args: [LinuxSeccompArg(index: 1, value: 0, op: .equalTo)]),
        ]))
        let filter = AskedDevice.filter(monitored)
        #expect(filter.syscalls?.map(\.names) == [["read", "connect"], ["openat2"], ["openat", "open"]])
        #expect(filter.syscalls?.last?.action == .notify)
        #expect(AskedDevice.watchedOpens(monitored) == ["openat", "open"])
    }

    @Test func deviceNumbersAreTheKernelsEncoding() throws {
        #expect(DeviceNumber(rdev: 0x0103) == DeviceNumber(major: 1, minor: 3))
        // A minor above 255 and a major above 4095 use the high bits.
        #expect(DeviceNumber(rdev: 0x0001_0000_0100_0145) == DeviceNumber(major: 0x10001, minor: 0x1045))
        var st = stat()
        try #require(stat("/dev/null", &st) == 0)
        #expect(DeviceNumber(rdev: UInt64(st.st_rdev)) == DeviceNumber(major: 1, minor: 3))
        // Resolved inside a root: a symlink to the node is followed unless O_NOFOLLOW, and nothing leaves the root.
        #expect(DeviceNumber.ofCharacterDevice("/dev/null", inRoot: "/", followingLastSymlink: true) == DeviceNumber(major: 1, minor: 3))
        #expect(DeviceNumber.ofCharacterDevice("/../../null", inRoot: "/dev", followingLastSymlink: true) == DeviceNumber(major: 1, minor: 3))
        #expect(DeviceNumber.ofCharacterDevice("/null", inRoot: "/dev", followingLastSymlink: true) == DeviceNumber(major: 1, minor: 3))
        #expect(DeviceNumber.ofCharacterDevice("/etc/hostname", inRoot: "/", followingLastSymlink: true) == nil)
        let directory = "/tmp/asked-device-\(getpid())"
        mkdir(directory, 0o755)
        defer {
            unlink(directory + "/link")
            rmdir(directory)
        }
        symlink("/dev/null", directory + "/link")
        #expect(DeviceNumber.ofCharacterDevice(directory + "/link", inRoot: "/", followingLastSymlink: true) == DeviceNumber(major: 1, minor: 3))
        #expect(DeviceNumber.ofCharacterDevice(directory + "/link", inRoot: "/", followingLastSymlink: false) == nil)
    }
}
