// SeccompListener: the container process state and the fd reach a seccomp agent listening on a unix socket.

import CLinux
import Foundation
import TaurunLinux
import TaurunOCI
import Testing

@testable import TaurunSeccomp

@Suite struct SeccompListenerTests {
    let state = State(ociVersion: "1.2.1", id: "c1", status: .creating, pid: 4242, bundle: "/b\"x", annotations: ["k": "v"])

    @Test func stateDocumentHasTheSpecsMembers() throws {
        let bytes = SeccompListener.containerProcessState(pid: 4242, metadata: "MKNOD=/dev/null;\n\"q\"", state: state)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["ociVersion"] as? String == "1.2.1")
        #expect(object["fds"] as? [String] == ["seccompFd"])
        #expect(object["pid"] as? Int == 4242)
        #expect(object["metadata"] as? String == "MKNOD=/dev/null;\n\"q\"")
        let inner = try #require(object["state"] as? [String: Any])
        #expect(inner["id"] as? String == "c1")
        #expect(inner["status"] as? String == "creating")
        #expect(inner["bundle"] as? String == "/b\"x")
    }

    @Test func withoutMetadataTheMemberIsAbsent() throws {
        let bytes = SeccompListener.containerProcessState(pid: 1, metadata: nil, state: state)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["metadata"] == nil)
    }

    @Test func agentReceivesTheStateAndTheFd() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let socketPath = directory + "/agent.sock"
        let server = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(server >= 0)
        defer { close(server) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in socketPath.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(server, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0 && listen(server, 1) == 0)

        // Any fd stands in for the seccomp listener; the agent must get the same open file.
        var ends: [Int32] = [-1, -1]
        try #require(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        try SeccompListener.send(listenerFD: ends[1], to: socketPath, pid: 4242, metadata: "meta", state: state)

        let connection = accept(server, nil, nil)
        try #require(connection >= 0)
        defer { close(connection) }
        var payload = [CChar](repeating: 0, count: 8192)
        var received: Int32 = -1
        let count = tr_recv_message(connection, &payload, payload.count - 1, &received)
        try #require(count > 0 && received >= 0)
        defer { close(received) }
        let text = String(decoding: payload.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["pid"] as? Int == 4242)
        #expect(object["metadata"] as? String == "meta")
        #expect(object["fds"] as? [String] == ["seccompFd"])
        var original = stat()
        var passed = stat()
        #expect(fstat(ends[1], &original) == 0 && fstat(received, &passed) == 0)
        #expect(original.st_ino == passed.st_ino)
        // The connection is closed after one message.
        var byte: UInt8 = 0
        #expect(read(connection, &byte, 1) == 0)
    }

    @Test func unreachableAgentIsAnErrorNamingListenerPath() {
        var ends: [Int32] = [-1, -1]
        _ = pipe(&ends)
        defer { close(ends[0]); close(ends[1]) }
        do {
            try SeccompListener.send(listenerFD: ends[1], to: "/nonexistent-taurun/agent.sock", pid: 1, metadata: nil, state: state)
            Issue.record("send to a missing socket succeeded")
        } catch {
            #expect(error.path == "linux.seccomp.listenerPath")
            #expect(error.errno == ENOENT)
        }
    }
}
