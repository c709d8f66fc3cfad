import Testing
@testable import TaurunOCI

/// Each malformed config.json and the exact one-line error it must produce (file: path: message with the value).
struct MalformedCase: CustomTestStringConvertible, Sendable {
    let json: String
    let expected: String
    var testDescription: String { expected }

    init(_ json: String, _ expected: String) {
        self.json = json
        self.expected = expected
    }

    /// A valid minimal config with `linux` set to the given JSON object text.
    static func linux(_ linux: String, _ expected: String) -> MalformedCase {
        MalformedCase(#"{"ociVersion": "1.2.0", "process": \#(process), "root": {"path": "rootfs"}, "linux": \#(linux)}"#, expected)
    }

    /// A valid minimal config whose `process` is the given JSON object text.
    static func process(_ process: String, _ expected: String) -> MalformedCase {
        MalformedCase(#"{"ociVersion": "1.2.0", "process": \#(process), "root": {"path": "rootfs"}}"#, expected)
    }

    static let process = #"{"user": {"uid": 0, "gid": 0}, "cwd": "/", "args": ["sh"]}"#
}

@Suite struct MalformedConfigTests {
    static let cases: [MalformedCase] = [
        // Not JSON, or not a whole document.
        MalformedCase("", "config.json: empty file"),
        MalformedCase("  \n\t", "config.json: invalid JSON: no value, only whitespace"),
        MalformedCase("null", "config.json: expected object, got null"),
        MalformedCase("[]", "config.json: expected object, got array"),
        MalformedCase(#""config""#, #"config.json: expected object, got string "config""#),
        MalformedCase("42", "config.json: expected object, got number 42"),
        MalformedCase(#"{"ociVersion": "1.2.0""#, "config.json: invalid JSON: unexpected end of input (truncated file?) at line 1, column 23"),
        MalformedCase(#"{"ociVersion": "1.2."#, "config.json: ociVersion: invalid JSON: unexpected end of input (truncated file?) at line 1, column 21"),
        MalformedCase(#"{"ociVersion": "1.2.0",}"#, "config.json: invalid JSON: expected a quoted member name, found '}' at line 1, column 24"),
        MalformedCase(#"{"ociVersion": '1.2.0'}"#, "config.json: ociVersion: invalid JSON: unexpected ''' at line 1, column 16"),
        MalformedCase("{\"ociVersion\": \"1.2.0\"} {}", "config.json: invalid JSON: unexpected '{' after the top-level value at line 1, column 25"),
        MalformedCase(#"{"ociVersion": "1.2.0", "hostname": tru}"#, "config.json: hostname: invalid JSON: unexpected '}' at line 1, column 40"),
        MalformedCase(#"{"ociVersion": "1.2.0", "process": {"oomScoreAdj": 01}}"#, "config.json: process.oomScoreAdj: invalid JSON: malformed number (leading zero) at line 1, column 53"),
        MalformedCase(#"{"ociVersion": "1.2.0", "hostname": "a\qb"}"#, #"config.json: hostname: invalid JSON: unknown escape '\q' at line 1, column 40"#),
        MalformedCase("{\"ociVersion\": \"1.2.0\", \"hostname\": \"line\nbreak\"}", "config.json: hostname: invalid JSON: unescaped control character 0xa in string at line 1, column 42"),
        MalformedCase(#"{"ociVersion": "1.2.0", "hostname": "\ud800"}"#, #"config.json: hostname: invalid JSON: unpaired surrogate in \u escape at line 1, column 44"#),
        MalformedCase(#"{"ociVersion": "1.2.0", "ociVersion": "1.0.0"}"#, #"config.json: ociVersion: duplicate key "ociVersion""#),

        // NUL bytes, wherever they are.
        MalformedCase(#"{"ociVersion": "1.2.0", "hostname": "a\u0000b"}"#, #"config.json: hostname: NUL byte in string "a\u0000b""#),
        .process(#"{"user": {"uid": 0, "gid": 0}, "cwd": "/", "args": ["sh", "-c\u0000"]}"#, #"config.json: process.args[1]: NUL byte in string "-c\u0000""#),
        .linux(#"{"sysctl": {"net.ipv4.ip_forward\u0000": "1"}}"#, #"config.json: linux.sysctl: NUL byte in string "net.ipv4.ip_forward\u0000""#),

        // ociVersion.
        MalformedCase(#"{"process": {}}"#, "config.json: ociVersion: required field is missing"),
        MalformedCase(#"{"ociVersion": null}"#, "config.json: ociVersion: expected string, got null"),
        MalformedCase(#"{"ociVersion": 1.2}"#, "config.json: ociVersion: expected string, got number 1.2"),
        MalformedCase(#"{"ociVersion": "1.2"}"#, #"config.json: ociVersion: not a SemVer 2.0.0 version: "1.2""#),
        MalformedCase(#"{"ociVersion": "v1.2.0"}"#, #"config.json: ociVersion: not a SemVer 2.0.0 version: "v1.2.0""#),
        MalformedCase(#"{"ociVersion": "1.02.0"}"#, #"config.json: ociVersion: not a SemVer 2.0.0 version: "1.02.0""#),

        // Wrong JSON types and missing or null REQUIRED fields.
        .process(#"{"user": {"uid": 0, "gid": 0}, "args": ["sh"]}"#, "config.json: process.cwd: required field is missing"),
        .process(#"{"cwd": "/", "args": ["sh"]}"#, "config.json: process.user: required field is missing"),
        .process(#"{"user": {"gid": 0}, "cwd": "/"}"#, "config.json: process.user.uid: required field is missing"),
        .process(#"{"user": {"uid": 0, "gid": null}, "cwd": "/"}"#, "config.json: process.user.gid: expected uint32, got null"),
        .process(#"{"user": {"uid": "0", "gid": 0}, "cwd": "/"}"#, #"config.json: process.user.uid: expected uint32, got string "0""#),
        .process(#"{"user": {"uid": 0, "gid": 0}, "cwd": "/", "args": "sh"}"#, #"config.json: process.args: expected array, got string "sh""#),
        .process(#"{"user": {"uid": 0, "gid": 0}, "cwd": "/", "args": ["sh", 3]}"#, "config.json: process.args[1]: expected string, got number 3"),
        .process(#"{"user": {"uid": 0, "gid": 0}, "cwd": "/", "terminal": "yes"}"#, #"config.json: process.terminal: expected boolean, got string "yes""#),
        .process(#"{"user": {"uid": 0, "gid": 0}, "cwd": "/", "terminal": 1}"#, "config.json: process.terminal: expected boolean, got number 1"),
        .process(#"{"user": [], "cwd": "/"}"#, "config.json: process.user: expected object, got array"),
        MalformedCase(#"{"ociVersion": "1.2.0", "root": {"readonly": true}}"#, "config.json: root.path: required field is missing"),
        MalformedCase(#"{"ociVersion": "1.2.0", "mounts": [{"type": "tmpfs"}]}"#, "config.json: mounts[0].destination: required field is missing"),
        MalformedCase(#"{"ociVersion": "1.2.0", "hooks": {"poststop": [{"args": ["x"]}]}}"#, "config.json: hooks.poststop[0].path: required field is missing"),
        MalformedCase(#"{"ociVersion": "1.2.0", "annotations": {"a": 1}}"#, "config.json: annotations.a: expected string, got number 1"),
        MalformedCase(#"{"ociVersion": "1.2.0", "annotations": {"com.example": null}}"#, #"config.json: annotations["com.example"]: expected string, got null"#),
        .linux(#"{"namespaces": [{"path": "/proc/1/ns/net"}]}"#, "config.json: linux.namespaces[0].type: required field is missing"),
        .linux(#"{"uidMappings": [{"containerID": 0, "hostID": 1000}]}"#, "config.json: linux.uidMappings[0].size: required field is missing"),
        .linux(#"{"devices": [{"path": "/dev/fuse"}]}"#, "config.json: linux.devices[0].type: required field is missing"),
        .linux(#"{"seccomp": {"syscalls": []}}"#, "config.json: linux.seccomp.defaultAction: required field is missing"),
        .linux(#"{"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"action": "SCMP_ACT_ERRNO"}]}}"#, "config.json: linux.seccomp.syscalls[0].names: required field is missing"),
        .linux(#"{"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"]}]}}"#, "config.json: linux.seccomp.syscalls[0].action: required field is missing"),
        .linux(#"{"resources": {"pids": {}}}"#, "config.json: linux.resources.pids.limit: required field is missing"),
        .linux(#"{"resources": {"devices": [{"access": "rwm"}]}}"#, "config.json: linux.resources.devices[0].allow: required field is missing"),
        .linux(#"{"sysctl": ["net.ipv4.ip_forward=1"]}"#, "config.json: linux.sysctl: expected object, got array"),

        // Unknown enum values.
        .linux(#"{"namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "nett"}]}"#, #"config.json: linux.namespaces[2].type: unknown namespace type "nett""#),
        .linux(#"{"namespaces": [{"type": "PID"}]}"#, #"config.json: linux.namespaces[0].type: unknown namespace type "PID""#),
        .process(#"{"user": {"uid": 0, "gid": 0}, "cwd": "/", "rlimits": [{"type": "RLIMIT_NOFILES", "hard": 1, "soft": 1}]}"#, #"config.json: process.rlimits[0].type: unknown rlimit type "RLIMIT_NOFILES""#),
        .linux(#"{"seccomp": {"defaultAction": "SCMP_ACT_DENY"}}"#, #"config.json: linux.seccomp.defaultAction: unknown seccomp action "SCMP_ACT_DENY""#),
        .linux(#"{"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_Z80"]}}"#, #"config.json: linux.seccomp.architectures[1]: unknown seccomp architecture "SCMP_ARCH_Z80""#),
        .linux(#"{"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_NEW"]}}"#, #"config.json: linux.seccomp.flags[0]: unknown seccomp flag "SECCOMP_FILTER_FLAG_NEW""#),
        .linux(#"{"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQUAL"}]}]}}"#, #"config.json: linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator "SCMP_CMP_EQUAL""#),
        .process(#"{"user": {"uid": 0, "gid": 0}, "cwd": "/", "ioPriority": {"class": "IOPRIO_CLASS_NONE", "priority": 0}}"#, #"config.json: process.ioPriority.class: unknown I/O priority class "IOPRIO_CLASS_NONE""#),
        .process(#"{"user": {"uid": 0, "gid": 0}, "cwd": "/", "scheduler": {"policy": "SCHED_FAST"}}"#, #"config.json: process.scheduler.policy: unknown scheduler policy "SCHED_FAST""#),
        .linux(#"{"personality": {"domain": "LINUX64"}}"#, #"config.json: linux.personality.domain: unknown personality domain "LINUX64""#),
        .linux(#"{"memoryPolicy": {"mode": "MPOL_RANDOM", "nodes": "0"}}"#, #"config.json: linux.memoryPolicy.mode: unknown memory policy mode "MPOL_RANDOM""#),
        .linux(#"{"namespaces": [{"type": 7}]}"#, "config.json: linux.namespaces[0].type: expected string, got number 7"),

        // Numbers that do not fit.
        .process(#"{"user": {"uid": -1, "gid": 0}, "cwd": "/"}"#, "config.json: process.user.uid: number -1 out of range for uint32 (0...4294967295)"),
        .process(#"{"user": {"uid": 4294967296, "gid": 0}, "cwd": "/"}"#, "config.json: process.user.uid: number 4294967296 out of range for uint32 (0...4294967295)"),
        .process(#"{"user": {"uid": 0, "gid": 0, "additionalGids": [1, 2, 99999999999999999999]}, "cwd": "/"}"#, "config.json: process.user.additionalGids[2]: number 99999999999999999999 out of range for uint32 (0...4294967295)"),
        .process(#"{"user": {"uid": 1.5, "gid": 0}, "cwd": "/"}"#, "config.json: process.user.uid: expected uint32, got number 1.5"),
        .process(#"{"user": {"uid": 1e3, "gid": 0}, "cwd": "/"}"#, "config.json: process.user.uid: expected uint32, got number 1e3"),
        .process(#"{"user": {"uid": 0, "gid": 0}, "cwd": "/", "rlimits": [{"type": "RLIMIT_CORE", "hard": 18446744073709551616, "soft": 0}]}"#, "config.json: process.rlimits[0].hard: number 18446744073709551616 out of range for uint64 (0...18446744073709551615)"),
        .process(#"{"user": {"uid": 0, "gid": 0}, "cwd": "/", "consoleSize": {"height": -25, "width": 80}}"#, "config.json: process.consoleSize.height: number -25 out of range for uint32 (0...4294967295)"),
        .linux(#"{"resources": {"blockIO": {"weight": 65536}}}"#, "config.json: linux.resources.blockIO.weight: number 65536 out of range for uint16 (0...65535)"),
        .linux(#"{"resources": {"memory": {"limit": 9223372036854775808}}}"#, "config.json: linux.resources.memory.limit: number 9223372036854775808 out of range for int64 (-9223372036854775808...9223372036854775807)"),
        .process(#"{"user": {"uid": 0, "gid": 0}, "cwd": "/", "oomScoreAdj": 99999999999999999999}"#, "config.json: process.oomScoreAdj: number 99999999999999999999 out of range for int (-9223372036854775808...9223372036854775807)"),
    ]

    @Test(arguments: cases)
    func malformedConfigGivesOneClearError(_ testCase: MalformedCase) {
        let error = #expect(throws: SpecError.self) { try Spec.decode(Array(testCase.json.utf8)) }
        #expect(error?.description == testCase.expected)
    }

    @Test func thereAreAtLeastFortyCases() {
        #expect(Self.cases.count >= 40)
    }

    @Test func invalidUTF8IsRejectedWithItsPath() {
        let bytes = Array(#"{"ociVersion": "1.2.0", "hostname": ""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        let error = #expect(throws: SpecError.self) { try Spec.decode(bytes) }
        #expect(error?.description == "config.json: hostname: invalid UTF-8 in string at line 1, column 37")
    }

    @Test func rawNULByteInAStringIsRejected() {
        let bytes = Array(#"{"ociVersion": "1.2.0", "hostname": "a"#.utf8) + [0] + Array(#"b"}"#.utf8)
        let error = #expect(throws: SpecError.self) { try Spec.decode(bytes) }
        #expect(error?.description == "config.json: hostname: NUL byte in string")
    }

    @Test func longValuesAreShortenedInMessages() {
        let long = String(repeating: "x", count: 1000)
        let error = #expect(throws: SpecError.self) {
            try Spec.decode(Array(#"{"ociVersion": "1.2.0", "process": {"user": {"uid": "\#(long)", "gid": 0}, "cwd": "/"}}"#.utf8))
        }
        #expect(error?.description == "config.json: process.user.uid: expected uint32, got string \"\(String(repeating: "x", count: 64))...\"")
    }
}
