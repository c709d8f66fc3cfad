import TaurunLinux
import TaurunOCI

/// The process `exec` adds, as a ProcessPlan: what it does not say itself is the container's (runc's newInitConfig),
/// and the command line's terminal options are checked the way runc checks them.
enum ExecPlan {
    /// `keyring`: the session keyring to join, nil when the container was created with --no-new-keyring.
    static func build(process: Process, container: Process?, options: ExecOptions,
                      keyring: String?) throws(RuntimeError) -> ProcessPlan {
        let terminal = process.terminal ?? false
        if terminal && options.detach && options.consoleSocket == nil {
            throw .usage("cannot allocate tty if taurun will detach without setting console socket")
        }
        if !terminal && options.consoleSocket != nil {
            throw .usage("cannot use console socket if taurun will not detach or allocate tty")
        }
        return try ProcessPlan.build(process: process, inheriting: container, keyring: keyring,
                                     preserveFDs: options.preserveFDs)
    }
}
