import Foundation
import Testing
@testable import TaurunOCI

/// `Spec.runcDefault` must carry the same content as the installed `runc spec` (ociVersion aside: ours is ours).
@Suite struct RuncSpecTests {
    static let runc = ["/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc", "/usr/local/bin/runc"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static func runcSpec(rootless: Bool) throws -> Spec {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("taurun-oci-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let child = Foundation.Process()
        child.executableURL = URL(fileURLWithPath: try #require(runc))
        child.arguments = rootless ? ["spec", "--rootless"] : ["spec"]
        child.currentDirectoryURL = directory
        try child.run()
        child.waitUntilExit()
        #expect(child.terminationStatus == 0)
        return try Spec.load(path: directory.appendingPathComponent("config.json").path)
    }

    @Test(.enabled(if: runc != nil, "runc is not installed"), arguments: [false, true])
    func runcDefaultMatchesRuncSpec(rootless: Bool) throws {
        let theirs = try Self.runcSpec(rootless: rootless)
        var ours = Spec.runcDefault(rootless: rootless)
        #expect(ours.ociVersion == Spec.supportedVersion)
        ours.ociVersion = theirs.ociVersion
        // Field by field first, so a difference points at its section; then the whole value.
        #expect(ours.process == theirs.process)
        #expect(ours.root == theirs.root)
        #expect(ours.hostname == theirs.hostname)
        #expect(ours.mounts == theirs.mounts)
        #expect(ours.hooks == theirs.hooks)
        #expect(ours.annotations == theirs.annotations)
        #expect(ours.linux?.namespaces == theirs.linux?.namespaces)
        #expect(ours.linux?.uidMappings == theirs.linux?.uidMappings)
        #expect(ours.linux?.gidMappings == theirs.linux?.gidMappings)
        #expect(ours.linux?.resources == theirs.linux?.resources)
        #expect(ours.linux?.maskedPaths == theirs.linux?.maskedPaths)
        #expect(ours.linux?.readonlyPaths == theirs.linux?.readonlyPaths)
        #expect(ours == theirs)
        try theirs.validate()
    }

    @Test(.enabled(if: runc != nil, "runc is not installed"))
    func runcFeaturesOutputDecodesAndReencodesToTheSameValue() throws {
        let child = Foundation.Process()
        child.executableURL = URL(fileURLWithPath: try #require(Self.runc))
        child.arguments = ["features"]
        let pipe = Pipe()
        child.standardOutput = pipe
        try child.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        let features = try Features.decode([UInt8](output))
        #expect(features.linux?.seccomp?.enabled != nil)
        #expect(try Features.decode(features.encodedJSON()) == features)
    }
}
