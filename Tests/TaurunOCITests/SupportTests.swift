import Foundation
import Testing
@testable import TaurunOCI
import TaurunSupport

@Suite struct SupportTests {
    @Test(arguments: [
        ("1.0.0", true), ("1.2.1", true), ("1.0.2-dev", true), ("1.0.0-rc.1+build.5", true), ("10.20.30", true),
        ("1.0.0-0A.is.legal", true), ("1.0.0+0.build.1-rc.10000aaa-kk-0.1", true),
        ("1", false), ("1.2", false), ("1.2.3.4", false), ("01.1.1", false), ("1.01.1", false), ("1.1.01", false),
        ("v1.2.3", false), ("1.2.3-", false), ("1.2.3+", false), ("1.2.3-01", false), ("1.2.3-a..b", false),
        ("1.2.3-a_b", false), ("", false), (" 1.2.3", false), ("1.2.3 ", false),
    ])
    func semVer(_ text: String, _ valid: Bool) {
        #expect(SemVer.isValid(text) == valid)
    }

    @Test func specErrorLeavesOutEmptyParts() {
        #expect(SpecError(file: "config.json", jsonPath: "", message: "empty file").description == "config.json: empty file")
        #expect(SpecError(file: "", jsonPath: "", message: "open /x: no such file or directory").description == "open /x: no such file or directory")
    }

    @Test func rlimitResourceNumbersMatchTheCLibrary() {
        let expected: [POSIXRlimitType: Int32] = [
            .cpu: Int32(RLIMIT_CPU.rawValue), .fsize: Int32(RLIMIT_FSIZE.rawValue), .data: Int32(RLIMIT_DATA.rawValue),
            .stack: Int32(RLIMIT_STACK.rawValue), .core: Int32(RLIMIT_CORE.rawValue), .rss: Int32(__RLIMIT_RSS.rawValue),
            .nproc: Int32(__RLIMIT_NPROC.rawValue), .nofile: Int32(RLIMIT_NOFILE.rawValue), .memlock: Int32(__RLIMIT_MEMLOCK.rawValue),
            .addressSpace: Int32(RLIMIT_AS.rawValue), .locks: Int32(__RLIMIT_LOCKS.rawValue), .sigpending: Int32(__RLIMIT_SIGPENDING.rawValue),
            .msgqueue: Int32(__RLIMIT_MSGQUEUE.rawValue), .nice: Int32(__RLIMIT_NICE.rawValue), .rtprio: Int32(__RLIMIT_RTPRIO.rawValue),
            .rttime: Int32(__RLIMIT_RTTIME.rawValue),
        ]
        #expect(POSIXRlimitType.allCases.count == 16)
        for type in POSIXRlimitType.allCases {
            #expect(type.resource == expected[type], "\(type.rawValue)")
        }
    }

    @Test func loadReportsAMissingFileLikeRunc() {
        let error = #expect(throws: SpecError.self) { try Spec.load(path: "/nonexistent-taurun/config.json") }
        #expect(error?.description == "open /nonexistent-taurun/config.json: no such file or directory")
    }

    @Test func loadOfADirectoryFailsCleanly() {
        let error = #expect(throws: SpecError.self) { try Spec.load(path: "/") }
        #expect(error?.description == "read /: is a directory")
    }

    @Test func loadNamesTheFileByItsBaseName() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("taurun-oci-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(#"{"ociVersion": "1.2.0", "linux": {"namespaces": [{"type": "nett"}]}}"#.utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: SpecError.self) { try Spec.load(path: path) }
        #expect(error?.file == (path as NSString).lastPathComponent)
        #expect(error?.jsonPath == "linux.namespaces[0].type")
        try Data(Fixtures.full.utf8).write(to: URL(fileURLWithPath: path))
        #expect(try Spec.load(path: path) == Spec.decode(Array(Fixtures.full.utf8)))
    }

    @Test func enumsEncodeAsTheirSpecSpelling() {
        let encoded = String(decoding: JSONWriter(indent: nil, keyOrder: .sorted).write(LinuxNamespace(type: .network, path: "/n").json), as: UTF8.self)
        #expect(encoded == #"{"path":"/n","type":"network"}"#)
    }
}
