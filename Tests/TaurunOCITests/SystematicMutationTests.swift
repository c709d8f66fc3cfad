import Testing
@testable import TaurunOCI
import TaurunSupport

/// A deterministic corpus generated from the full fixture: every value in it is, in turn, given the wrong JSON type,
/// set to null, or removed. Each mutant must decode, or fail with exactly the mutated path; never anything else.
@Suite struct SystematicMutationTests {
    enum Mutation: CustomStringConvertible {
        case wrongType
        case null
        case removed

        var description: String {
            switch self {
            case .wrongType: "wrong type"
            case .null: "null"
            case .removed: "removed"
            }
        }
    }

    /// Every path in the document, parents before children.
    static func paths(of value: JSONValue, at path: JSONPath = JSONPath()) -> [JSONPath] {
        switch value {
        case .object(let members):
            return [path] + members.flatMap { paths(of: $0.value, at: path.appending(key: $0.key)) }
        case .array(let elements):
            return [path] + elements.enumerated().flatMap { paths(of: $1, at: path.appending(index: $0)) }
        default:
            return [path]
        }
    }

    /// A value of a different JSON type than `value`.
    static func wrongType(for value: JSONValue) -> JSONValue {
        switch value {
        case .string: .number("7")
        case .number: .string("x")
        case .bool: .string("true")
        case .array: .string("[]")
        case .object: .number("1")
        case .null: .bool(true)
        }
    }

    /// `document` with the value at `path` replaced (or removed when `replacement` is nil).
    static func mutate(_ document: JSONValue, at path: ArraySlice<JSONPath.Component>, with replacement: JSONValue?) -> JSONValue? {
        guard let first = path.first else { return replacement }
        switch (document, first) {
        case (.object(var members), .key(let key)):
            guard let index = members.firstIndex(where: { $0.key == key }) else { return document }
            if let changed = mutate(members[index].value, at: path.dropFirst(), with: replacement) {
                members[index].value = changed
            } else {
                members.remove(at: index)
            }
            return .object(members)
        case (.array(var elements), .index(let index)):
            if let changed = mutate(elements[index], at: path.dropFirst(), with: replacement) {
                elements[index] = changed
            } else {
                elements.remove(at: index)
            }
            return .array(elements)
        default:
            return document
        }
    }

    static func value(at path: JSONPath, in document: JSONValue) -> JSONValue? {
        var current = document
        for component in path.components {
            switch (current, component) {
            case (.object(let members), .key(let key)):
                guard let next = members.first(where: { $0.key == key })?.value else { return nil }
                current = next
            case (.array(let elements), .index(let index)):
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    @Test func everyValueOfTheFullFixtureFailsAtItsOwnPathOrDecodes() throws {
        let document = try JSONParser.parse(Array(Fixtures.full.utf8))
        let writer = JSONWriter(indent: nil, keyOrder: .asBuilt)
        var cases = 0
        var failures = 0
        for path in Self.paths(of: document) where !path.components.isEmpty {
            let original = try #require(Self.value(at: path, in: document))
            for mutation in [Mutation.wrongType, .null, .removed] {
                // Removing an array element only shifts the rest; that is not a malformed document.
                if mutation == .removed, case .index = path.components.last { continue }
                let replacement: JSONValue? = switch mutation {
                case .wrongType: Self.wrongType(for: original)
                case .null: .null
                case .removed: nil
                }
                let mutant = try #require(Self.mutate(document, at: path.components[...], with: replacement))
                cases += 1
                do {
                    _ = try Spec.decode(writer.write(mutant))
                } catch {
                    failures += 1
                    #expect(error.jsonPath == path.description, "\(mutation) at \(path): \(error)")
                    #expect(!error.message.isEmpty)
                }
            }
        }
        // The fixture has a few hundred values; most mutations must be rejected.
        #expect(cases >= 300)
        #expect(failures >= 300)
    }
}
