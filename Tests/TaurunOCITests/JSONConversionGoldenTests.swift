import Foundation
import Testing
@testable import TaurunOCI
import TaurunSupport

/// What the hand-written conversions write and which errors they give, held against golden files made while the
/// Codable conformances they replaced still existed and gave the same bytes and errors (Golden/; OCI_UPDATE_GOLDEN=1
/// rewrites them): config.json as `spec` and `convert` write it, and the error (or none) of every mutant of the full
/// fixture.
@Suite struct JSONConversionGoldenTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `actual` against Golden/`name`, or written there with OCI_UPDATE_GOLDEN=1.
    static func expectGolden(_ actual: [UInt8], _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["OCI_UPDATE_GOLDEN"] != nil {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(actual).write(to: file)
        }
        let expected = try #require(try? Data(contentsOf: file), "missing \(file.path); run with OCI_UPDATE_GOLDEN=1",
                                    sourceLocation: sourceLocation)
        #expect(String(decoding: actual, as: UTF8.self) == String(decoding: expected, as: UTF8.self), "\(name)",
                sourceLocation: sourceLocation)
    }

    @Test(arguments: [("minimal", Fixtures.minimal), ("full", Fixtures.full)])
    func fixturesAreWrittenAsGolden(name: String, json: String) throws {
        try Self.expectGolden(try Spec.decode(Array(json.utf8)).encodedJSON(), "fixture-\(name).config.json")
    }

    @Test func theIntegrationSuitesBaseConfigIsWrittenAsGolden() throws {
        let bytes = Array(try Data(contentsOf: Self.repository.appendingPathComponent("Tests/Integration/config.base.json")))
        try Self.expectGolden(try Spec.decode(bytes).encodedJSON(), "integration-base.config.json")
    }

    /// Documents written by the encoder itself (convert's golden bundles, `spec`) read back and write the same bytes.
    @Test func writtenDocumentsRoundTripByteForByte() throws {
        var documents = [Spec.runcDefault(rootless: false).encodedJSON(), Spec.runcDefault(rootless: true).encodedJSON()]
        let golden = Self.repository.appendingPathComponent("Tests/TauSandboxTests/Fixtures/golden")
        for name in try FileManager.default.contentsOfDirectory(atPath: golden.path).sorted() where name.hasSuffix(".config.json") {
            documents.append(Array(try Data(contentsOf: golden.appendingPathComponent(name))))
        }
        #expect(documents.count >= 6)
        for document in documents {
            #expect(try Spec.decode(document).encodedJSON() == document)
        }
    }

    /// Well-typed JSON that is wrong for a field: out of range, fractions, unknown vocabulary words.
    static func illTyped(for value: JSONValue) -> [JSONValue] {
        switch value {
        case .number: [.number("-1"), .number("1.5"), .number("4294967296"), .number("18446744073709551616")]
        case .string: [.string("bogus\u{1}")]
        case .bool, .null: []
        case .array: [.array([.null])]
        case .object: [.array([])]
        }
    }

    /// One line per mutant of the full fixture: the path, the replacement, and the error (or "ok").
    @Test func everyMutantOfTheFullFixtureGivesItsGoldenError() throws {
        let document = try JSONParser.parse(Array(Fixtures.full.utf8))
        var lines: [String] = []
        for path in SystematicMutationTests.paths(of: document) {
            let original = try #require(SystematicMutationTests.value(at: path, in: document))
            let replacements: [JSONValue?] = [SystematicMutationTests.wrongType(for: original), .null, nil] + Self.illTyped(for: original)
            for replacement in replacements {
                guard let mutant = SystematicMutationTests.mutate(document, at: path.components[...], with: replacement) else { continue }
                let outcome: String
                do {
                    _ = try Spec(json: mutant)
                    outcome = "ok"
                } catch {
                    outcome = error.description
                }
                lines.append("\(path.description.isEmpty ? "." : path.description)\t\(replacement?.excerpt ?? "removed")\t\(outcome)")
            }
        }
        #expect(lines.count > 1500)
        try Self.expectGolden(Array((lines.joined(separator: "\n") + "\n").utf8), "full-fixture-mutants.txt")
    }
}
