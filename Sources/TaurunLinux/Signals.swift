import CLinux

/// Signal forwarding for the commands that wait for a container (`run`, `exec` in the foreground): a handler that
/// only records the signal (async-signal-safe), drained by the waiting loop.
public enum Signals {
    /// Records `signal` instead of acting on it.
    public static func record(_ signal: Int32) {
        _ = tr_install_recording_handler(signal)
    }

    /// The next recorded signal, or nil when none is pending.
    public static func takePending() -> Int32? {
        let signal = tr_take_pending_signal()
        return signal == 0 ? nil : signal
    }
}
