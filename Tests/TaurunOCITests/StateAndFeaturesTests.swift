import Testing
@testable import TaurunOCI

@Suite struct StateAndFeaturesTests {
    static let running = State(
        ociVersion: "1.2.1", id: "web", status: .running, pid: 4242, bundle: "/srv/bundles/web",
        annotations: ["org.tauos.app": "media"], rootfs: "/srv/bundles/web/rootfs",
        created: "2026-11-23T14:05:06.123456789Z", owner: ""
    )

    @Test func stateRoundTripsThroughRuncShapedJSON() throws {
        #expect(try State.decode(Self.running.encodedJSON()) == Self.running)
        #expect(try State.decode(Self.running.compactJSON()) == Self.running)
    }

    @Test func statePrintsLikeRuncState() {
        let text = String(decoding: Self.running.encodedJSON(), as: UTF8.self)
        #expect(text == """
            {
              "ociVersion": "1.2.1",
              "id": "web",
              "pid": 4242,
              "status": "running",
              "bundle": "/srv/bundles/web",
              "rootfs": "/srv/bundles/web/rootfs",
              "created": "2026-11-23T14:05:06.123456789Z",
              "annotations": {
                "org.tauos.app": "media"
              },
              "owner": ""
            }
            """)
    }

    @Test func listJSONIsOneLineLikeRuncList() throws {
        let stopped = State(ociVersion: "1.2.1", id: "b", status: .stopped, bundle: "/b", owner: "")
        let text = String(decoding: State.listJSON([Self.running, stopped]), as: UTF8.self)
        #expect(text == #"[{"ociVersion":"1.2.1","id":"web","pid":4242,"status":"running","bundle":"/srv/bundles/web","rootfs":"/srv/bundles/web/rootfs","created":"2026-11-23T14:05:06.123456789Z","annotations":{"org.tauos.app":"media"},"owner":""},{"ociVersion":"1.2.1","id":"b","pid":0,"status":"stopped","bundle":"/b","owner":""}]"# + "\n")
        #expect(String(decoding: State.listJSON([]), as: UTF8.self) == "null\n")
    }

    @Test func compactJSONLeavesOutAMissingPid() {
        let stopped = State(ociVersion: "1.2.1", id: "b", status: .stopped, bundle: "/b")
        #expect(String(decoding: stopped.compactJSON(), as: UTF8.self) == #"{"bundle":"/b","id":"b","ociVersion":"1.2.1","status":"stopped"}"#)
    }

    @Test func stoppedStatePrintsPidZeroLikeRunc() throws {
        let stopped = State(ociVersion: "1.2.1", id: "a", status: .stopped, bundle: "/b")
        let text = String(decoding: stopped.encodedJSON(), as: UTF8.self)
        #expect(text.contains(#""pid": 0"#))
        #expect(try State.decode(stopped.compactJSON()) == stopped)
    }

    @Test func specStateJSONFromAnotherRuntimeDecodes() throws {
        let json = #"{"ociVersion": "1.0.2", "id": "oci-container1", "status": "created", "pid": 4422, "bundle": "/containers/redis", "annotations": {"myKey": "myValue"}}"#
        let state = try State.decode(Array(json.utf8))
        #expect(state == State(ociVersion: "1.0.2", id: "oci-container1", status: .created, pid: 4422, bundle: "/containers/redis", annotations: ["myKey": "myValue"]))
    }

    @Test func unknownStatusIsAnError() {
        let json = #"{"ociVersion": "1.0.2", "id": "x", "status": "zombie", "bundle": "/b"}"#
        let error = #expect(throws: SpecError.self) { try State.decode(Array(json.utf8)) }
        #expect(error?.description == #"state.json: status: unknown container status "zombie""#)
    }

    static let features = Features(
        ociVersionMin: "1.0.0", ociVersionMax: "1.2.1",
        hooks: ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
        mountOptions: ["ro", "rw", "bind", "rbind", "nosuid"],
        linux: Features.Linux(
            namespaces: LinuxNamespaceType.allCases.map(\.rawValue),
            capabilities: ["CAP_CHOWN", "CAP_KILL"],
            cgroup: Features.Cgroup(v1: true, v2: true, systemd: false, systemdUser: false, rdma: false),
            seccomp: Features.Seccomp(
                enabled: true, actions: LinuxSeccompAction.allCases.map(\.rawValue),
                operators: LinuxSeccompOperator.allCases.map(\.rawValue), archs: ["SCMP_ARCH_X86_64"],
                knownFlags: LinuxSeccompFlag.allCases.map(\.rawValue), supportedFlags: ["SECCOMP_FILTER_FLAG_LOG"]
            ),
            apparmor: Features.Apparmor(enabled: false),
            selinux: Features.Selinux(enabled: false),
            intelRdt: Features.IntelRdt(enabled: false),
            mountExtensions: Features.MountExtensions(idmap: Features.IDMap(enabled: true)),
            netDevices: Features.NetDevices(enabled: false),
            memoryPolicy: Features.MemoryPolicy(modes: MemoryPolicyMode.allCases.map(\.rawValue), flags: MemoryPolicyFlag.allCases.map(\.rawValue))
        ),
        annotations: ["org.tauos.taurun.version": "0.1.0"]
    )

    @Test func featuresRoundTrip() throws {
        #expect(try Features.decode(Self.features.encodedJSON()) == Self.features)
    }

    @Test func featuresPrintInRuncOrderWithSortedAnnotations() {
        let features = Features(ociVersionMin: "1.0.0", ociVersionMax: "1.2.1", hooks: ["prestart"],
                                linux: Features.Linux(cgroup: Features.Cgroup(v1: true, v2: false)),
                                annotations: ["z.last": "1", "a.first": "2", "m.middle": "3"])
        let text = String(decoding: features.encodedJSON(), as: UTF8.self)
        #expect(text == """
            {
                "ociVersionMin": "1.0.0",
                "ociVersionMax": "1.2.1",
                "hooks": [
                    "prestart"
                ],
                "linux": {
                    "cgroup": {
                        "v1": true,
                        "v2": false
                    }
                },
                "annotations": {
                    "a.first": "2",
                    "m.middle": "3",
                    "z.last": "1"
                }
            }

            """)
    }

    @Test func runcFeaturesDocumentDecodes() throws {
        // Shape of `runc features` (runc 1.1+), trimmed.
        let json = #"""
            {"ociVersionMin": "1.0.0", "ociVersionMax": "1.1.0+dev", "hooks": ["prestart"], "mountOptions": ["acl"],
             "linux": {"namespaces": ["cgroup"], "capabilities": ["CAP_CHOWN"],
                       "cgroup": {"v1": true, "v2": true, "systemd": true, "systemdUser": true},
                       "seccomp": {"enabled": true, "actions": ["SCMP_ACT_ALLOW"], "operators": ["SCMP_CMP_EQ"],
                                   "archs": ["SCMP_ARCH_X86_64"], "knownFlags": ["SECCOMP_FILTER_FLAG_LOG"],
                                   "supportedFlags": ["SECCOMP_FILTER_FLAG_LOG"]},
                       "apparmor": {"enabled": true}, "selinux": {"enabled": true}},
             "annotations": {"io.github.seccomp.libseccomp.version": "2.5.4", "org.opencontainers.runc.checkpoint.enabled": "true"}}
            """#
        let features = try Features.decode(Array(json.utf8))
        #expect(features.linux?.cgroup?.systemdUser == true)
        #expect(features.linux?.seccomp?.supportedFlags == ["SECCOMP_FILTER_FLAG_LOG"])
        #expect(features.annotations?["io.github.seccomp.libseccomp.version"] == "2.5.4")
    }

    @Test func processJSONForExecDecodes() throws {
        let json = #"{"terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["/bin/true"], "cwd": "/"}"#
        #expect(try Process.decode(Array(json.utf8)).args == ["/bin/true"])
        let error = #expect(throws: SpecError.self) { try Process.decode(Array(#"{"user": {"uid": 0, "gid": 0}}"#.utf8)) }
        #expect(error?.description == "process.json: cwd: required field is missing")
    }
}
