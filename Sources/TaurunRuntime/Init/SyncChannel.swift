import TaurunLinux

/// The parent/child handshake, the one description of it (the code of each side points here). Parent → child
/// messages are on the left, child → parent on the right; either side may send `failed(reason)` instead of its next
/// message, and a side that dies reads as EOF on the other (SOCK_SEQPACKET).
///
/// `create` (parent: Runtime.launch, then driveToCreated; child: ContainerInit):
///
///     two-stage clone only (joined user namespace + new ones): the first stage joins, unshares, forks the init
///                                                                          ← initPid(host pid); the first stage exits
///     rootfs and bind sources, opened by the parent (user namespace)  bindSource(fd) … →
///     id maps written, OCI state for the hooks                        go(state) →
///         child: hidden from ptrace (new user namespace: only now), v1 cgroup self-join, namespaces, hostname,
///         then its rootfs, while the parent makes the cgroups and moves it in
///     cgroups made and joined                                         cgroupJoined →   (awaited by the child
///         before its first cgroup mount, before unsharing a cgroup namespace, else once the mounts are done)
///     prestart/createRuntime hooks only                                          ← hooks
///         parent runs them                                            hooksDone →
///         child: createContainer hooks, pivot_root, sysctl, masks, rlimits, ProcessSetup.prepare (seccomp in)
///     a notify filter only: the parent starts the monitor or forwards it          ← seccompListener(fd)
///                                                                                 ← ready
///     state.json says created, pid file written                       handover →
///         child: clears its parent-death signal                                   ← ack
///         child closes the socket; create returns; the child waits on the exec fifo for `start`
///
/// `exec` (parent: Runtime.exec; child: ExecInit, born in taurun's pid namespace):
///
///     child put in the container's cgroup                             go("") →
///         child: rlimits, oom_score_adj, setns (user first), ProcessSetup.prepare
///     a notify filter only: the parent starts the monitor                         ← seccompListener(fd)
///         child execs the trampoline (spawn mode), which starts the program as a sibling in the container's
///         pid namespace and exits                                                 ← spawned(pid), or EOF alone
///         when the trampoline could not start it
enum SyncMessage: Equatable {
    /// `go` carries the OCI state JSON the child hands to createContainer/startContainer hooks.
    case go(String)
    case hooks, hooksDone, ready, handover, ack
    /// The parent has put the child in its cgroup (sent right after `go`; the child waits for it before it needs it).
    case cgroupJoined
    /// From the first stage of a two-stage clone: the host pid of the container's init it forked.
    case initPid(Int32)
    /// From the exec trampoline in spawn mode: the host pid of the sibling it started, 'p' and 4 bytes little-endian
    /// (written by exec_trampoline.S, which has no number formatting).
    case spawned(Int32)
    /// The seccomp notify fd (sent with SCM_RIGHTS), for the parent to hand to linux.seccomp.listenerPath.
    case seccompListener(Int32)
    /// A bind mount's source, opened by the parent (SCM_RIGHTS), one per PlannedMount.sourceFromParent, in order.
    case bindSource(Int32)
    case failed(String)

    /// The first byte of each message: a letter, so a trace of the socket reads as the exchange above.
    /// exec_trampoline.S writes `spawned`'s 'p' itself.
    var tag: UInt8 {
        switch self {
        case .go: return Tag.go
        case .hooks: return Tag.hooks
        case .hooksDone: return Tag.hooksDone
        case .ready: return Tag.ready
        case .handover: return Tag.handover
        case .ack: return Tag.ack
        case .cgroupJoined: return Tag.cgroupJoined
        case .failed: return Tag.failed
        case .seccompListener: return Tag.seccompListener
        case .bindSource: return Tag.bindSource
        case .initPid: return Tag.initPid
        case .spawned: return Tag.spawned
        }
    }

    enum Tag {
        static let go = UInt8(ascii: "G")
        static let hooks = UInt8(ascii: "H")
        static let hooksDone = UInt8(ascii: "h")
        static let ready = UInt8(ascii: "R")
        static let handover = UInt8(ascii: "X")
        static let ack = UInt8(ascii: "A")
        static let cgroupJoined = UInt8(ascii: "C")
        static let failed = UInt8(ascii: "E")
        static let seccompListener = UInt8(ascii: "S")
        static let bindSource = UInt8(ascii: "M")
        static let initPid = UInt8(ascii: "P")
        static let spawned = UInt8(ascii: "p")
    }
}

/// One end of a SOCK_SEQPACKET socketpair: message boundaries are kept, and the peer's death reads as EOF.
struct SyncChannel {
    let fd: Int32

    static func pair() throws(SyscallError) -> (parent: SyncChannel, child: SyncChannel) {
        let (parent, child) = try UnixSocket.seqpacketPair()
        return (SyncChannel(fd: parent), SyncChannel(fd: child))
    }

    func send(_ message: SyncMessage) throws(SyscallError) {
        switch message {
        case .seccompListener(let passed), .bindSource(let passed):
            try UnixSocket.sendFD(over: fd, fd: passed, name: String(UnicodeScalar(message.tag)))
            return
        default: break
        }
        var bytes = [message.tag]
        switch message {
        case .failed(let text), .go(let text): bytes += Array(text.utf8.prefix(60000))
        case .initPid(let pid): bytes += Array(String(pid).utf8)
        case .spawned(let pid): bytes += withUnsafeBytes(of: pid.littleEndian) { Array($0) }
        default: break
        }
        try UnixSocket.send(fd, bytes, call: "send(sync)")
    }

    /// Blocks for the next message; nil when the peer closed its end (it exited or was killed).
    func receive() throws(SyscallError) -> SyncMessage? {
        var buf = [UInt8](repeating: 0, count: 65536)
        let (n, passed) = try UnixSocket.receiveMessage(from: fd, into: &buf)
        if n == 0 { if passed >= 0 { Files.close(passed) }; return nil }
        if buf[0] == SyncMessage.Tag.seccompListener && passed >= 0 { return .seccompListener(passed) }
        if buf[0] == SyncMessage.Tag.bindSource && passed >= 0 { return .bindSource(passed) }
        if passed >= 0 { Files.close(passed) }
        switch buf[0] {
        case SyncMessage.Tag.go: return .go(String(decoding: buf[1..<n], as: UTF8.self))
        case SyncMessage.Tag.hooks: return .hooks
        case SyncMessage.Tag.hooksDone: return .hooksDone
        case SyncMessage.Tag.ready: return .ready
        case SyncMessage.Tag.handover: return .handover
        case SyncMessage.Tag.ack: return .ack
        case SyncMessage.Tag.cgroupJoined: return .cgroupJoined
        case SyncMessage.Tag.failed: return .failed(String(decoding: buf[1..<n], as: UTF8.self))
        case SyncMessage.Tag.initPid:
            return Int32(String(decoding: buf[1..<n], as: UTF8.self)).map { .initPid($0) } ?? .failed("bad init pid")
        case SyncMessage.Tag.spawned where n == 5:
            return .spawned(Int32(bitPattern: buf[1..<5].reversed().reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }))
        default: return .failed("unexpected sync message \(buf[0])")
        }
    }

    func close() { Files.close(fd) }
}
