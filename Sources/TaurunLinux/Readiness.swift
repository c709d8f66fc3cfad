#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// poll(2) for readability on a few descriptors at once, for the single-threaded loops that wait on several
/// (the terminal relay, the prompt exchange, the OOM eventfd): no threads and no event loop on the create/exec path.
public enum Readiness {
    /// What poll(2) said of one descriptor.
    public enum State: Equatable, Sendable {
        /// Nothing to report (the time ran out, or another descriptor woke the wait).
        case quiet
        /// Data to read (POLLIN), possibly with a hang-up behind it.
        case readable
        /// Hung up or in error without data to read (POLLHUP, POLLERR, POLLNVAL alone).
        case closed
    }

    /// Waits up to `timeoutMilliseconds` (-1: without limit) until one of `fds` is readable, hung up or in error; a
    /// negative fd is left out (poll(2) ignores it). Returns the state of each, in the order given (all .quiet when
    /// the time ran out), or nil when a signal came first (EINTR: the caller handles it and waits again).
    public static func wait(_ fds: [Int32], timeoutMilliseconds: Int) throws(SyscallError) -> [State]? {
        var descriptors = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let ready = poll(&descriptors, nfds_t(descriptors.count), Int32(clamping: timeoutMilliseconds))
        if ready < 0 {
            if errno == EINTR { return nil }
            throw SyscallError("poll")
        }
        return descriptors.map {
            if $0.revents & Int16(POLLIN) != 0 { return .readable }
            return $0.revents != 0 ? .closed : .quiet
        }
    }
}
