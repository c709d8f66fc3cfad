import Testing
@testable import TaurunOCI

@Suite struct HostileInputTests {
    @Test func deepNestingIsRejectedWithoutRecursingIntoIt() {
        // 1 MB of '[' would overflow a naive recursive decoder's stack.
        let bytes = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        let error = #expect(throws: SpecError.self) { try Spec.decode(bytes) }
        #expect(error?.description == "config.json: JSON nested deeper than 64 levels at line 1, column 65")
    }

    @Test func deepNestingInsideAnUnknownMemberIsRejected() {
        let json = #"{"ociVersion": "1.2.0", "x": "# + String(repeating: "{\"a\": ", count: 100_000)
        let error = #expect(throws: SpecError.self) { try Spec.decode(Array(json.utf8)) }
        #expect(error?.message.hasPrefix("JSON nested deeper than 64 levels at line 1, column ") == true)
    }

    @Test func sixtyFourLevelsAreAcceptedAndSixtyFiveAreNot() throws {
        // The top-level object is level 1; "x" holds `arrays` nested arrays.
        func config(arrays: Int) -> [UInt8] {
            Array((#"{"ociVersion": "1.2.0", "x": "# + String(repeating: "[", count: arrays) + String(repeating: "]", count: arrays) + "}").utf8)
        }
        _ = try Spec.decode(config(arrays: 63))
        #expect(throws: SpecError.self) { try Spec.decode(config(arrays: 64)) }
    }

    @Test func hugeNumbersAndLongStringsDoNotCrash() {
        let digits = String(repeating: "9", count: 100_000)
        let error = #expect(throws: SpecError.self) {
            try Spec.decode(Array(#"{"ociVersion": "1.2.0", "process": {"user": {"uid": \#(digits), "gid": 0}, "cwd": "/"}}"#.utf8))
        }
        #expect(error?.jsonPath == "process.user.uid")
        #expect((error?.message.count ?? .max) < 200)
    }

    /// Deterministic mutation fuzzing of the full fixture: every mutant either decodes or gives a SpecError.
    @Test func randomByteMutationsNeverCrash() {
        var generator = SplitMix64(seed: 0x7A0_2026)
        let original = Array(Fixtures.full.utf8)
        let interesting: [UInt8] = Array("{}[]\":,\\0-1e.nt\u{0}".utf8) + [0xFF, 0xC3]
        var decoded = 0
        var rejected = 0
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let position = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[position] = interesting[Int(generator.next() % UInt64(interesting.count))]
                case 1: bytes.remove(at: position)
                default: bytes = Array(bytes[0..<position])
                }
                if bytes.isEmpty { break }
            }
            do {
                _ = try Spec.decode(bytes)
                decoded += 1
            } catch {
                #expect(!error.description.isEmpty)
                rejected += 1
            }
        }
        #expect(decoded + rejected == 3000)
        #expect(rejected > 2000)
    }
}

/// A tiny reproducible PRNG, so a failing mutation can be replayed.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
