import TaurunAudit
import TaurunLinux
import TaurunSeccomp
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// Devices asked for at runtime (docs/prompts.md, "Devices"): the bundle of an on_violation = "ask" app binds the
/// nodes of its undecided camera and microphone in, leaves them out of the device cgroup, and taurun routes the app's
/// opens here (AskedDevice.filter). An open that resolves to an asked device (DeviceOpen) is decided like a socket
/// (this run's answer, the recorded decision, else a question); on allow the monitor opens the node itself, on the
/// host, checks it is still the device the bundle names, and answers the call with that descriptor
/// (SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SEND); on deny the call fails with EPERM. The app's own open of
/// the node never succeeds: what it may swap after the monitor read its path changes nothing.
extension SecurityMonitor {
    static func askForDevice(_ call: SeccompNotification, name: String, channel: SeccompNotifyChannel, context: Context,
                             log: AuditLog, recorded: inout ViolationRecorder, prompts: inout Prompts, held: HeldCalls) {
        guard let root = context.containerRoot?.descriptor(for: call, channel: channel),
            let open = DeviceOpen.read(call, name: name, devices: context.policy.askedDevices, root: root)
        else {
            // Names no asked device: runs as the bundle allows it (the device cgroup refuses an asked device it may
            // name by the time it runs).
            try? channel.allow(call)
            return
        }
        let step = prompts.step(open.device.permission, context: context)
        guard case .ask(let permission) = step else {
            let app = context.policy.appID
            if step == .allow {
                // Allowed earlier in the run or by the recorded grant: no record, unless it could not be handed over.
                if let problem = hand(open, to: call, channel: channel) {
                    audit(open, call: call, name: name, context: context, log: log, recorded: &recorded,
                          message: "\(app) permission \"\(open.device.permission)\" allowed for \(open.call), but \(problem)")
                }
            } else {
                try? channel.fail(call, errno: EPERM)
                audit(open, call: call, name: name, context: context, log: log, recorded: &recorded,
                      message: "\(app) denied: \(open.call) needs permission \"\(open.device.permission)\", which is not granted")
            }
            return
        }
        let question = Question(permission: permission, call: open.call, path: open.path)
        let asked = pose(question, call: call, name: name, channel: channel, context: context, log: log, prompts: &prompts,
                         held: held)
        var note: String?
        if asked.settled.applied.allows {
            note = hand(open, to: call, channel: channel)
        } else {
            try? channel.fail(call, errno: EPERM)
        }
        recordAnswer(asked, call: call, name: name, context: context, log: log, prompts: prompts, note: note)
    }

    /// Answers an allowed open with the monitor's own descriptor of the device: opened on the host by the node the
    /// bundle binds, with the open's access mode and O_NONBLOCK (O_CLOEXEC becomes the new descriptor's flag),
    /// refused unless it is still the character device the bundle names. Returns what kept the app from getting it
    /// (the call then fails), nil when it got it.
    static func hand(_ open: DeviceOpen, to call: SeccompNotification, channel: SeccompNotifyChannel) -> String? {
        let flags = Int32(truncatingIfNeeded: open.flags)
        // What the app's open of an existing character device would give.
        if flags & O_DIRECTORY != 0 {
            try? channel.fail(call, errno: ENOTDIR)
            return nil
        }
        if flags & O_CREAT != 0 && flags & O_EXCL != 0 {
            try? channel.fail(call, errno: EEXIST)
            return nil
        }
        let device = open.device
        let fd: Int32
        do { fd = try Files.open(device.hostPath, (flags & (O_ACCMODE | O_NONBLOCK)) | O_NOCTTY | O_NOFOLLOW) } catch {
            let code = error.errno.rawValue
            try? channel.fail(call, errno: code)
            return "opening \(device.hostPath) failed (\(errnoText(code)))"
        }
        defer { Files.close(fd) }
        guard DeviceNumber.ofCharacterDevice(fd: fd) == device.number else {
            try? channel.fail(call, errno: EPERM)
            return "\(device.hostPath) is no longer the character device \(device.number) the bundle names; not handed over"
        }
        do {
            _ = try channel.answer(call, installing: fd, closeOnExec: flags & O_CLOEXEC != 0)
            return nil
        } catch {
            switch error.errno {
            case ENOENT?:
                return "the calling process ended first"
            case EINVAL?, ENOTTY?, EOPNOTSUPP?:
                try? channel.fail(call, errno: EPERM)
                return "this kernel cannot hand a descriptor to a trapped call (SECCOMP_ADDFD_FLAG_SEND needs Linux 5.14); EPERM"
            default:
                try? channel.fail(call, errno: EPERM)
                return "handing the descriptor over failed (\(error.errno.map(errnoText) ?? "?")); EPERM"
            }
        }
    }

    /// An open of an asked device that failed without a question (refused earlier in the run or by the recorded
    /// decision, or allowed but not handed over): a denied violation with the path, rate-limited like every violation.
    private static func audit(_ open: DeviceOpen, call: SeccompNotification, name: String, context: Context,
                              log: AuditLog, recorded: inout ViolationRecorder, message: String) {
        guard case .record(let held) = recorded.decide(key: "\(name) \(open.path)", now: MonotonicClock.seconds()) else { return }
        writeSuppressed(held, context: context, log: log)
        try? log.append(AuditEvent(
            event: .violation, app: context.policy.appID, container: context.containerID, pid: Int32(bitPattern: call.pid),
            permission: open.device.permission, syscall: name, args: ViolationExplainer.arguments(syscall: name, args: call.args),
            path: open.path, action: "denied", message: message))
    }
}
