import Testing
import TaurunLinux
import TaurunOCI
@testable import TaurunRuntime

#if canImport(Glibc)
import Glibc
#endif

/// The plan refuses what taurun cannot honour before anything exists, naming the field and the value.
@Suite struct InitPlanTests {
    /// runc's default spec with a rootfs that exists (/).
    func spec(_ edit: (inout Spec) -> Void = { _ in }) -> Spec {
        var s = Spec.runcDefault(rootless: false)
        s.root = Root(path: "/")
        s.process?.terminal = false
        edit(&s)
        return s
    }

    func plan(_ s: Spec, options: CreateOptions = CreateOptions()) throws -> InitPlan {
        try InitPlan.build(spec: s, bundle: "/tmp", containerID: "t", options: options)
    }

    func message(_ s: Spec, options: CreateOptions = CreateOptions()) -> String {
        do { _ = try plan(s, options: options); return "" } catch { return "\(error)" }
    }

    @Test func defaultSpecPlansEveryNamespaceAndMount() throws {
        let p = try plan(spec())
        #expect(p.newNamespaces & NamespaceKind.pid.cloneFlag != 0)
        #expect(p.newNamespaces & NamespaceKind.mount.cloneFlag != 0)
        #expect(p.newNamespaces & NamespaceKind.network.cloneFlag != 0)
        #expect(p.mounts.map(\.destination).contains("/proc"))
        #expect(p.createDefaultDevices)
        #expect(p.capabilities?.bounding.count == 3)
        #expect(p.args == ["sh"])
    }

    @Test func missingMountNamespaceIsRefused() {
        let m = message(spec { $0.linux?.namespaces?.removeAll { $0.type == .mount } })
        #expect(m.contains("linux.namespaces") && m.contains("mount"))
    }

    @Test func unknownCapabilityNamesItsPath() {
        let m = message(spec { $0.process?.capabilities?.bounding = ["CAP_KILL", "CAP_NOPE"] })
        #expect(m.contains("process.capabilities.bounding[1]") && m.contains("CAP_NOPE"))
    }

    @Test func terminalWithoutConsoleSocketIsRefusedForCreate() {
        let m = message(spec { $0.process?.terminal = true })
        #expect(m.contains("console socket"))
        var run = CreateOptions()
        run.foregroundTerminal = true
        #expect(message(spec { $0.process?.terminal = true }, options: run) == "")
    }

    @Test func joinedNamespaceMustBeOfTheNamedType() {
        let m = message(spec { s in
            let joined = (s.linux?.namespaces ?? []).map { ns in
                ns.type == .network ? LinuxNamespace(type: .network, path: "/proc/self/ns/ipc") : ns
            }
            s.linux?.namespaces = joined
        })
        #expect(m.contains("linux.namespaces[") && m.contains("is a ipc namespace, not network"))
    }

    @Test func bindMountWithMissingSourceIsRefused() {
        let m = message(spec { $0.mounts?.append(Mount(destination: "/data", type: "bind", source: "/nonexistent-taurun", options: ["rbind"])) })
        #expect(m.contains("mounts[") && m.contains("/nonexistent-taurun"))
    }

    @Test func unsupportedMountTypeIsRefused() {
        let m = message(spec { $0.mounts?.append(Mount(destination: "/x", type: "nfs4", source: "server:/x")) })
        #expect(m.contains(".type") && m.contains("nfs4"))
    }

    @Test func devicesOutsideDevAreRefused() {
        let m = message(spec { $0.linux?.devices = [LinuxDevice(type: "c", path: "/etc/evil", major: 1, minor: 3)] })
        #expect(m.contains("linux.devices[0].path"))
    }

    @Test func userNamespaceNeedsMappings() {
        let m = message(spec { $0.linux?.namespaces?.append(LinuxNamespace(type: .user)) })
        #expect(m.contains("uidMappings"))
    }

    @Test func idMapFormatIsOneLinePerMapping() {
        let text = IDMap.format([LinuxIDMapping(containerID: 0, hostID: 100000, size: 65536),
                                 LinuxIDMapping(containerID: 65536, hostID: 1, size: 1)])
        #expect(text == "0 100000 65536\n65536 1 1\n")
    }
}
