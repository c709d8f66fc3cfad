import Testing
@testable import TauSandbox

#if canImport(Glibc)
import Glibc
#endif

/// The diff `taurun learn` prints: `diff -u`'s layout, hunks with three lines of context, and `patch` applies it.
@Suite struct UnifiedDiffTests {
    @Test func identicalTextsHaveNoDiff() {
        #expect(UnifiedDiff.make(old: "a\nb\n", new: "a\nb\n", path: "tau.toml") == "")
    }

    @Test func anAddedLineComesWithThreeLinesOfContext() {
        let old = "1\n2\n3\n4\n5\n6\n7\n"
        let new = "1\n2\n3\n4\n4.5\n5\n6\n7\n"
        #expect(UnifiedDiff.make(old: old, new: new, path: "tau.toml")
            == "--- tau.toml\n+++ tau.toml\n@@ -2,6 +2,7 @@\n 2\n 3\n 4\n+4.5\n 5\n 6\n 7\n")
    }

    @Test func distantChangesAreSeparateHunksAndNearOnesOne() {
        let old = (1...20).map(String.init).joined(separator: "\n") + "\n"
        var lines = (1...20).map(String.init)
        lines[1] = "two"
        lines[17] = "eighteen"
        let new = lines.joined(separator: "\n") + "\n"
        #expect(UnifiedDiff.make(old: old, new: new, path: "m")
            == "--- m\n+++ m\n@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n@@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+eighteen\n 19\n 20\n")
        lines = (1...20).map(String.init)
        lines[1] = "two"
        lines[7] = "eight"
        let near = UnifiedDiff.make(old: old, new: lines.joined(separator: "\n") + "\n", path: "m")
        #expect(near.split(separator: "\n").filter { $0.hasPrefix("@@ ") } == ["@@ -1,11 +1,11 @@"])
    }

    @Test func aMissingNewlineAtTheEndIsMarked() {
        #expect(UnifiedDiff.make(old: "a\nb", new: "a\nb\nc\n", path: "m")
            == "--- m\n+++ m\n@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+b\n+c\n")
    }

    @Test func anInsertionAtTheStartOfAnEmptyFileNumbersLikeDiff() {
        #expect(UnifiedDiff.make(old: "", new: "x\n", path: "m") == "--- m\n+++ m\n@@ -0,0 +1,1 @@\n+x\n")
    }

    @Test(.enabled(if: access("/usr/bin/patch", X_OK) == 0, "needs patch(1)"))
    func patchAppliesIt() throws {
        let directory = TestSupport.temporaryDirectory("diff")
        defer { TestSupport.remove(directory) }
        let old = "id = \"org.example.app\"\n\n[permissions]\ncamera = true\n\n[resources]\nmemory = \"64M\"\n"
        let new = try ManifestEditor.apply(ManifestChange(addPermissions: [.network], memoryBytes: 128 << 20), to: old, format: .tauToml, path: "tau.toml")
        TestSupport.write(directory + "/tau.toml", old)
        TestSupport.write(directory + "/fix.diff", UnifiedDiff.make(old: old, new: new, path: "tau.toml"))
        let result = TestSupport.run("/bin/sh", ["-c", "cd \(directory) && patch -p0 < fix.diff"])
        #expect(result.status == 0)
        #expect(TestSupport.read(directory + "/tau.toml") == new)
    }
}
