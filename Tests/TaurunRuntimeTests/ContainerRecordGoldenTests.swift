import Foundation
import Testing
import TaurunOCI
@testable import TaurunRuntime
import TaurunSupport

/// state.json's hand-written conversion held against golden files made while the Codable conformance it replaced
/// still existed and gave the same bytes and errors (Golden/; RUNTIME_UPDATE_GOLDEN=1 rewrites them): the bytes of
/// two records, and for every mutant of the full one (each value of the wrong type, null, out of range, or removed)
/// the record it reads or the error it gives.
@Suite struct ContainerRecordGoldenTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func expectGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["RUNTIME_UPDATE_GOLDEN"] != nil {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: file)
        }
        let expected = try #require(try? Data(contentsOf: file), "missing \(file.path); run with RUNTIME_UPDATE_GOLDEN=1",
                                    sourceLocation: sourceLocation)
        #expect(actual == String(decoding: expected, as: UTF8.self), "\(name)", sourceLocation: sourceLocation)
    }

    static let full: ContainerRecord = {
        var record = ContainerRecord(
            id: "web", bundle: "/srv/web", rootfs: "/srv/web/rootfs", created: "2026-12-07T23:00:00.123456789Z", owner: "",
            phase: .created, creatorPid: 41, creatorStartTime: 7_000_001, pid: 42, pidStartTime: 7_000_002,
            cgroupDirs: ["/sys/fs/cgroup/memory/web", "/sys/fs/cgroup/pids/web"],
            annotations: ["org.tauos.app.id": "org.tauos.hello", "a.b": "c"], memoryLimit: 67_108_864,
            hooks: Hooks(poststart: [Hook(path: "/bin/true", args: ["true"], env: ["A=1"], timeout: 5)],
                         poststop: [Hook(path: "/bin/false")]),
            ociVersion: "1.2.1")
        record.cgroupSystemdUnit = "taurun-web.scope"
        record.monitorPid = 43
        record.monitorStartTime = 7_000_003
        record.noNewKeyring = true
        record.auditLog = "/var/log/taurun/audit.log"
        record.learning = false
        return record
    }()

    static let minimal = ContainerRecord(
        id: "a", bundle: "/b", rootfs: "/b/rootfs", created: "2026-12-07T23:00:00Z", owner: "u", phase: .creating,
        creatorPid: 1, cgroupDirs: [], annotations: nil, hooks: nil, ociVersion: "1.0.2")

    static func handWritten(_ value: JSONValue) -> String {
        do { return String(decoding: JSONWriter(indent: nil, keyOrder: .sorted).write(try ContainerRecord(json: value).json), as: UTF8.self) } catch {
            return "error: \(error)"
        }
    }

    @Test(arguments: [("full", full), ("minimal", minimal)])
    func writesTheGoldenBytes(name: String, record: ContainerRecord) throws {
        let bytes = JSONWriter(indent: nil, keyOrder: .sorted).write(record.json)
        try Self.expectGolden(String(decoding: bytes, as: UTF8.self) + "\n", "record-\(name).state.json")
        #expect(Self.handWritten(try JSONParser.parse(bytes)) == String(decoding: bytes, as: UTF8.self))
    }

    /// Every member path of a document, parents first.
    static func paths(_ value: JSONValue, _ prefix: [JSONPath.Component] = []) -> [[JSONPath.Component]] {
        switch value {
        case .object(let members): [prefix] + members.flatMap { paths($0.value, prefix + [.key($0.key)]) }
        case .array(let elements): [prefix] + elements.indices.flatMap { paths(elements[$0], prefix + [.index($0)]) }
        default: [prefix]
        }
    }

    static func replacing(_ value: JSONValue, at path: ArraySlice<JSONPath.Component>, with replacement: JSONValue?) -> JSONValue? {
        guard let first = path.first else { return replacement }
        switch (value, first) {
        case (.object(var members), .key(let key)):
            let index = members.firstIndex { $0.key == key }!
            if let changed = replacing(members[index].value, at: path.dropFirst(), with: replacement) {
                members[index].value = changed
            } else {
                members.remove(at: index)
            }
            return .object(members)
        case (.array(var elements), .index(let index)):
            if let changed = replacing(elements[index], at: path.dropFirst(), with: replacement) {
                elements[index] = changed
            } else {
                elements.remove(at: index)
            }
            return .array(elements)
        default: return value
        }
    }

    @Test func everyMutantGivesItsGoldenOutcome() throws {
        let document = try JSONParser.parse(JSONWriter(indent: nil, keyOrder: .sorted).write(Self.full.json))
        let replacements: [JSONValue?] = [
            nil, .null, .bool(true), .string("x"), .string("creating2"), .number("-1"), .number("1.5"), .number("4294967296"),
            .number("18446744073709551616"), .array([.null]), .object([]),
        ]
        var lines: [String] = []
        for path in Self.paths(document) {
            for replacement in replacements {
                guard let mutant = Self.replacing(document, at: path[...], with: replacement) else { continue }
                lines.append("\(JSONPath(path))\t\(replacement?.excerpt ?? "removed")\t\(Self.handWritten(mutant))")
            }
        }
        #expect(lines.count > 400)
        try Self.expectGolden(lines.joined(separator: "\n") + "\n", "record-mutants.txt")
    }
}
