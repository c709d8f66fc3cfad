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
        #expect(p.process.capabilities.bounding.count == 3)
        #expect(p.process.args == ["sh"])
    }

    @Test func missingMountNamespaceIsRefused() {
        let m = message(spec { $0.linux?.namespaces?.removeAll { $0.type == .mount } })
        #expect(m.contains("linux.namespaces") && m.contains("mount"))
    }

    @Test func malformedCapabilityNamesItsPath() {
        for bad in ["NET_ADMIN", "cap_kill", "CAP_", "CAP_KILL ", "CAP_NET-ADMIN"] {
            let m = message(spec { $0.process?.capabilities?.bounding = ["CAP_KILL", bad] })
            #expect(m.contains("process.capabilities.bounding[1]") && m.contains(bad), "\(bad): \(m)")
        }
    }

    /// runc's rule: a well-formed name this kernel or libcap does not know is skipped (with one warning), so a
    /// config written for another kernel still runs.
    @Test func unknownButWellFormedCapabilityIsSkipped() throws {
        let p = try plan(spec { $0.process?.capabilities?.bounding = ["CAP_KILL", "CAP_NOPE", "CAP_FROM_LINUX_9"] })
        #expect(p.process.capabilities.bounding == [5])
    }

    @Test func noCapabilitiesFieldMeansNone() throws {
        let p = try plan(spec { $0.process?.capabilities = nil })
        let sets = p.process.capabilities
        #expect(sets.bounding.isEmpty && sets.effective.isEmpty && sets.permitted.isEmpty)
        #expect(sets.inheritable.isEmpty && sets.ambient.isEmpty)
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

/// runc's sysctl rules at plan time, and the inode check it does for a joined network namespace (extended here to
/// ipc and uts): a key is written only into a namespace the container owns.
@Suite struct InitPlanSysctlTests {
    func spec(_ sysctl: [String: String], _ edit: (inout Spec) -> Void = { _ in }) -> Spec {
        var s = Spec.runcDefault(rootless: false)
        s.root = Root(path: "/")
        s.process?.terminal = false
        s.linux?.sysctl = sysctl
        edit(&s)
        return s
    }

    func message(_ s: Spec) -> String {
        do { _ = try InitPlan.build(spec: s, bundle: "/tmp", containerID: "t", options: CreateOptions()); return "" } catch {
            return "\(error)"
        }
    }

    func join(_ type: String, _ path: String) -> (inout Spec) -> Void {
        { s in
            var namespaces = (s.linux?.namespaces ?? []).filter { $0.type.rawValue != type }
            namespaces.append(LinuxNamespace(type: LinuxNamespaceType(rawValue: type)!, path: path))
            s.linux?.namespaces = namespaces
        }
    }

    @Test func rulesFollowRunc() {
        #expect(SysctlRule.of("net.ipv4.ip_forward").namespace == .network)
        #expect(SysctlRule.of("kernel.shmmax").namespace == .ipc)
        #expect(SysctlRule.of("fs.mqueue.msg_max").namespace == .ipc)
        #expect(SysctlRule.of("kernel.domainname").namespace == .uts)
        #expect(SysctlRule.of("kernel.hostname").namespace == nil)
        #expect(SysctlRule.of("kernel.core_pattern").namespace == nil)
        #expect(SysctlRule.of("vm.overcommit_memory").namespace == nil)
    }

    @Test func namespacedKeysInNewNamespacesArePlanned() {
        #expect(message(spec(["net.ipv4.ip_forward": "1", "kernel.shmmni": "8192", "kernel.domainname": "d"])) == "")
    }

    @Test func netSysctlWithoutANetworkNamespaceIsRefused() {
        let m = message(spec(["net.ipv4.ip_forward": "1"]) { s in s.linux?.namespaces?.removeAll { $0.type == .network } })
        #expect(m.contains("linux.sysctl") && m.contains("\"net.ipv4.ip_forward\"") && m.contains("host's network namespace"))
    }

    @Test func netSysctlInTheHostNetworkNamespaceJoinedByPathIsRefused() {
        // /proc/1 may be out of reach in a sandbox; the caller's own namespace is the host's for runc too.
        let paths = ["/proc/self/ns/net", "/proc/\(getpid())/ns/net"] + (access("/proc/1/ns/net", F_OK) == 0 ? ["/proc/1/ns/net"] : [])
        for path in paths {
            let m = message(spec(["net.ipv4.ip_forward": "1"], join("network", path)))
            #expect(m.contains("linux.sysctl") && m.contains("\"net.ipv4.ip_forward\"") && m.contains("network namespace"), "\(path): \(m)")
        }
    }

    @Test func ipcAndUtsSysctlsInTheHostsNamespacesJoinedByPathAreRefused() {
        #expect(message(spec(["kernel.shmmni": "8192"], join("ipc", "/proc/\(getpid())/ns/ipc"))).contains("host's ipc namespace"))
        #expect(message(spec(["kernel.domainname": "x"], join("uts", "/proc/\(getpid())/ns/uts"))).contains("host's uts namespace"))
    }

    @Test func keysNoNamespaceCoversAreRefused() {
        #expect(message(spec(["kernel.core_pattern": "|/x"])).contains("not in a separate kernel namespace"))
        #expect(message(spec(["kernel.hostname": "x"])).contains("hostname"))
    }

    @Test func hostNamespaceIsDecidedByInode() {
        #expect(InitPlan.isHostNamespace("/proc/self/ns/net", kind: .network) == true)
        #expect(InitPlan.isHostNamespace("/nonexistent", kind: .network) == nil)
    }
}
