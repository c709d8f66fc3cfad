import TaurunLinux
import TaurunSupport

/// How one question ended, from the monitor's side.
public enum PromptOutcome: Equatable, Sendable {
    /// A person answered (through the agent or the terminal).
    case answered(PromptAnswer)
    /// No answer within the time-out.
    case timeout
    /// The other side sent something that is not an answer to this question, or hung up without one.
    case invalid(String)
    /// The calling process is gone (killed, or the app ended) before an answer came: there is nothing to answer.
    case cancelled
    /// Nobody could be asked: no terminal, and no agent (or one that may not answer); the reason says which.
    case nobody(String)
}

/// One question and its answer over a connected descriptor (the agent's socket, or the SOCK_SEQPACKET channel to
/// `taurun run`): the request line out, then one reply line back, waiting at most `timeoutMs` and giving up as soon
/// as `stillWaiting` says the caller is gone. Single-threaded: poll(2) in short steps; the line goes out and comes
/// back through TaurunLinux's UnixSocket (send with MSG_NOSIGNAL: the monitor keeps default signal dispositions, and
/// must not die of a closed agent).
enum PromptExchange {
    static let step: Int32 = 100

    /// What the monitor does while it waits for an answer: `serve` when `fd` (the seccomp listener) is readable, so
    /// the app's calls that need no question are not held up by one (SecurityMonitor.serveMeanwhile).
    struct Meanwhile {
        let fd: Int32
        let serve: () -> Void
    }

    static func ask(fd: Int32, request: PromptRequest, stillWaiting: () -> Bool, meanwhile: Meanwhile? = nil) -> PromptOutcome {
        do { try UnixSocket.send(fd, PromptProtocol.line(request)) } catch {
            return .invalid("cannot send the question (\(errnoText(error.errno.rawValue)))")
        }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: PromptProtocol.maxLine)
        let deadline = PromptClock.milliseconds() + request.timeoutMs
        var fds = [fd]
        if let meanwhile { fds.append(meanwhile.fd) }
        while true {
            let left = deadline - PromptClock.milliseconds()
            if left <= 0 { return .timeout }
            let ready: [Readiness.State]?
            do { ready = try Readiness.wait(fds, timeoutMilliseconds: Int(min(step, Int32(left)))) } catch {
                return .invalid("poll: \(errnoText(error.errno.rawValue))")
            }
            if !stillWaiting() { return .cancelled }
            guard let ready else { continue }  // a signal came first
            if ready.count > 1 && ready[1] != .quiet {
                // A hang-up (no process left under the filter) is for the main loop: stop watching.
                if ready[1] == .readable { meanwhile?.serve() } else { fds.removeLast() }
            }
            guard ready[0] != .quiet else { continue }
            let received: Int?
            do { received = try UnixSocket.receive(fd, into: &chunk) } catch {
                return .invalid("read: \(errnoText(error.errno.rawValue))")
            }
            guard let n = received else { continue }
            if n == 0 { return .invalid("hung up without an answer") }
            buffer += chunk[0..<n]
            if let newline = buffer.firstIndex(of: 0x0A) {
                switch PromptProtocol.answer(from: Array(buffer[..<newline]), to: request.id) {
                case .success(let answer): return .answered(answer)
                case .failure(let error): return .invalid(error.reason)
                }
            }
            if buffer.count >= PromptProtocol.maxLine { return .invalid("reply longer than \(PromptProtocol.maxLine) bytes") }
        }
    }

    /// Connects to the agent's socket and checks who listens there: only the users in `answering` (root and the user
    /// taurun runs for) may answer, so a socket another user planted at the path (or a sandboxed app's) is refused.
    /// Returns the connected fd and the agent's uid, or why there is no agent to ask.
    static func connectAgent(_ path: String, answering: [UInt32]) -> Result<(fd: Int32, uid: UInt32), AgentUnavailable> {
        let fd: Int32
        do { fd = try UnixSocket.connect(.path(path)) } catch {
            return .failure(AgentUnavailable(reason: "no prompt agent at \(path) (\(error.errno))"))
        }
        let peer: PeerCredentials
        do { peer = try PeerCredentials(socket: fd) } catch {
            Files.close(fd)
            return .failure(AgentUnavailable(reason: "prompt agent at \(path): \(error)"))
        }
        guard answering.contains(peer.uid) else {
            Files.close(fd)
            return .failure(AgentUnavailable(
                reason: "prompt agent at \(path) refused: it runs as uid \(peer.uid), and only uid \(answering.map(String.init).joined(separator: ", ")) may answer"))
        }
        return .success((fd, peer.uid))
    }

    struct AgentUnavailable: Error, Equatable {
        let reason: String
    }
}

/// Monotonic time for time-outs, and microseconds for the latency the audit records.
enum PromptClock {
    static func milliseconds() -> Int { MonotonicClock.milliseconds() }
    static func microseconds() -> Int { MonotonicClock.microseconds() }
}
