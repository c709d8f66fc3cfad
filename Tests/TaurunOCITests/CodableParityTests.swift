import Foundation
import Testing
@testable import TaurunOCI
import TaurunSupport

/// The hand-written conversions (`init(json:)`, `json`) against the Codable conformances they replace on the hot path:
/// every example config of the repository, the runc- and crun-shaped specs the tests use, and thousands of malformed
/// mutants of them must give the same value, the same bytes and the same error (path and message) both ways. Kept
/// while both exist.
@Suite struct CodableParityTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Every config.json-shaped document: fixtures, the repository's files, taurun's and the installed runtimes' defaults.
    static func configs() throws -> [(name: String, bytes: [UInt8])] {
        var configs: [(name: String, bytes: [UInt8])] = [
            ("Fixtures.minimal", Array(Fixtures.minimal.utf8)), ("Fixtures.full", Array(Fixtures.full.utf8)),
            ("runcDefault", Spec.runcDefault(rootless: false).encodedJSON()),
            ("runcDefault rootless", Spec.runcDefault(rootless: true).encodedJSON()),
        ]
        var files = ["Tests/Integration/config.base.json"]
        let golden = repository.appendingPathComponent("Tests/TauSandboxTests/Fixtures/golden")
        for name in try FileManager.default.contentsOfDirectory(atPath: golden.path).sorted() where name.hasSuffix(".json") {
            files.append("Tests/TauSandboxTests/Fixtures/golden/" + name)
        }
        for file in files {
            configs.append((file, Array(try Data(contentsOf: repository.appendingPathComponent(file)))))
        }
        for (runtime, arguments) in [("runc", ["spec"]), ("runc", ["spec", "--rootless"]), ("crun", ["spec"]), ("crun", ["spec", "--rootless"])] {
            if let bytes = try spec(of: runtime, arguments) { configs.append(("\(runtime) \(arguments.joined(separator: " "))", bytes)) }
        }
        return configs
    }

    /// What `RUNTIME spec` writes, or nil when the runtime is not installed.
    static func spec(of runtime: String, _ arguments: [String]) throws -> [UInt8]? {
        guard let binary = ["/usr/sbin/", "/usr/bin/", "/usr/local/sbin/", "/usr/local/bin/"].map({ $0 + runtime })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { return nil }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("taurun-parity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let child = Foundation.Process()
        child.executableURL = URL(fileURLWithPath: binary)
        child.arguments = arguments
        child.currentDirectoryURL = directory
        try child.run()
        child.waitUntilExit()
        guard child.terminationStatus == 0 else { return nil }
        return Array(try Data(contentsOf: directory.appendingPathComponent("config.json")))
    }

    /// The outcome of one way of reading: the value, or the error as it prints.
    enum Outcome<T: Equatable>: Equatable {
        case value(T)
        case error(String)
    }

    static func handWritten<T: JSONValueConvertible & Equatable>(_ type: T.Type, _ value: JSONValue) -> Outcome<T> {
        do { return .value(try T(json: value)) } catch { return .error(error.description) }
    }

    static func codable<T: Decodable & Equatable>(_ type: T.Type, _ value: JSONValue) -> Outcome<T> {
        do { return .value(try decodeJSONValue(T.self, from: value)) } catch { return .error(error.description) }
    }

    /// Both ways of reading agree; when they read a value (and `writing`), both ways of writing give the same bytes.
    static func expectParity<T: JSONValueConvertible & Codable & Equatable>(
        _ type: T.Type, _ value: JSONValue, _ name: String, writing: Bool = true, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        let ours = handWritten(type, value)
        let theirs = codable(type, value)
        #expect(ours == theirs, "\(name)", sourceLocation: sourceLocation)
        if writing, case .value(let decoded) = ours {
            // Sorted (config.json, state.json) and as built (members in declaration order, the order of `features`;
            // maps sorted on both sides because Codable writes a Dictionary in hash order).
            let sorted = JSONWriter(indent: "\t", keyOrder: .sorted)
            #expect(sorted.write(decoded.json) == sorted.write(encodeJSONValue(decoded)), "\(name)", sourceLocation: sourceLocation)
            let asBuilt = JSONWriter(indent: nil, keyOrder: .asBuilt)
            #expect(asBuilt.write(sortingMaps(decoded.json)) == asBuilt.write(sortingMaps(encodeJSONValue(decoded))), "\(name)",
                    sourceLocation: sourceLocation)
        }
        return ours == theirs
    }

    /// Sorts the members of the objects that are maps (their keys are not field names), keeping field order elsewhere.
    static func sortingMaps(_ value: JSONValue, key: String? = nil) -> JSONValue {
        let maps: Set<String> = ["annotations", "sysctl", "unified", "rdma", "timeOffsets", "netDevices"]
        switch value {
        case .array(let elements): return .array(elements.map { sortingMaps($0) })
        case .object(let members):
            let children = members.map { ($0.key, sortingMaps($0.value, key: $0.key)) }
            if let key, maps.contains(key) { return .object(children.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }) }
            return .object(children)
        default: return value
        }
    }

    @Test func everyExampleConfigReadsAndWritesTheSameBothWays() throws {
        let configs = try Self.configs()
        #expect(configs.count >= 9)
        for config in configs {
            let value = try JSONParser.parse(config.bytes)
            #expect(Self.expectParity(Spec.self, value, config.name))
            // The subtrees other documents are made of: process.json, update's resources.json.
            if let process = value["process"] { #expect(Self.expectParity(Process.self, process, config.name + " process")) }
            if let resources = value["linux"]?["resources"] {
                #expect(Self.expectParity(LinuxResources.self, resources, config.name + " resources"))
            }
            // What convert and spec write: byte for byte what the Codable encoder gave.
            let spec = try Spec.decode(config.bytes)
            #expect(spec.encodedJSON() == JSONWriter(indent: "\t", keyOrder: .sorted).write(encodeJSONValue(spec)) + [0x0A], "\(config.name)")
        }
    }

    @Test func stateAndFeaturesReadAndWriteTheSameBothWays() throws {
        let states = [
            StateAndFeaturesTests.running, State(ociVersion: "1.2.1", id: "b", status: .stopped, bundle: "/b"),
            State(ociVersion: "1.0.2", id: "c", status: .creating, pid: 0, bundle: "/c", annotations: [:], owner: "u"),
        ]
        for state in states {
            #expect(state.compactJSON() == JSONWriter(indent: nil, keyOrder: .sorted).write(encodeJSONValue(state)))
            #expect(Self.expectParity(State.self, try JSONParser.parse(state.compactJSON()), "state \(state.id)"))
            #expect(Self.expectParity(State.self, try JSONParser.parse(state.encodedJSON()), "runc state \(state.id)"))
        }
        let features = StateAndFeaturesTests.features
        #expect(Self.expectParity(Features.self, features.json, "features"))
        #expect(Self.expectParity(Features.self, try JSONParser.parse(features.encodedJSON()), "features printed"))
        #expect(Self.expectParity(Features.self, Features().json, "empty features"))
    }

    /// Values that are well-typed JSON but wrong for the field: out of range, fractions, unknown vocabulary words.
    static func illTyped(for value: JSONValue) -> [JSONValue] {
        switch value {
        case .number: [.number("-1"), .number("1.5"), .number("1e3"), .number("65536"), .number("4294967296"),
                       .number("9223372036854775808"), .number("18446744073709551616"), .number("-9223372036854775809")]
        case .string: [.string("bogus\u{1}"), .string("")]
        case .bool: [.number("0")]
        case .array: [.array([.null]), .array([.object([])]), .object([])]
        case .object: [.object([]), .array([]), .object([("unknown", .bool(true))])]
        case .null: []
        }
    }

    /// Every value of every example config in turn replaced by the wrong type, null, an ill-typed value, or removed:
    /// the same error (or the same value) both ways.
    @Test func everyMutantFailsTheSameBothWays() throws {
        var mutants = 0
        var disagreements = 0
        for config in try Self.configs() {
            let document = try JSONParser.parse(config.bytes)
            for path in SystematicMutationTests.paths(of: document) {
                let original = try #require(SystematicMutationTests.value(at: path, in: document))
                var replacements: [JSONValue?] = [SystematicMutationTests.wrongType(for: original), .null, nil]
                replacements += Self.illTyped(for: original)
                for replacement in replacements {
                    guard let mutant = SystematicMutationTests.mutate(document, at: path.components[...], with: replacement) else { continue }
                    mutants += 1
                    if !Self.expectParity(Spec.self, mutant, "\(config.name) at \(path)", writing: false) { disagreements += 1 }
                }
            }
        }
        print("mutants: \(mutants)")
        #expect(mutants > 5000)
        #expect(disagreements == 0)
    }

    @Test func theMalformedCasesFailTheSameBothWays() throws {
        for malformed in MalformedConfigTests.cases {
            guard let value = try? JSONParser.parse(Array(malformed.json.utf8)) else { continue }
            #expect(Self.expectParity(Spec.self, value, malformed.expected))
        }
    }

    @Test func theFuzzRegressionsReadTheSameBothWays() throws {
        let directory = Self.repository.appendingPathComponent("Fuzz/regressions/config")
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where !name.hasSuffix(".md") {
            let bytes = Array(try Data(contentsOf: directory.appendingPathComponent(name)))
            guard let value = try? JSONParser.parse(bytes) else { continue }
            #expect(Self.expectParity(Spec.self, value, name))
            #expect(Self.expectParity(Process.self, value, name))
            #expect(Self.expectParity(State.self, value, name))
        }
    }
}
