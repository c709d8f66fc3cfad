import TaurunSeccomp

/// What the monitor answers while a question is up. It is one thread, and a question may wait for the user for up
/// to the time-out; calls of the app's other threads that need no question must not wait with it. For an app with
/// asked devices that is every open that names no asked device (each of its opens comes to the monitor): it runs on
/// at once. Every other call trapped meanwhile (an open of an asked device, a socket, any violation) is held, still
/// parked in the kernel, and decided in arrival order once the question is answered, by that answer when it is about
/// the same permission. At most one call per thread of the app can be parked, so what is held is bounded by the
/// app's pids limit.
extension SecurityMonitor {
    /// The calls trapped while a question was up that wait for its answer, in arrival order.
    final class HeldCalls {
        private(set) var calls: [SeccompNotification] = []

        func hold(_ call: SeccompNotification) { calls.append(call) }

        func takeFirst() -> SeccompNotification? { calls.isEmpty ? nil : calls.removeFirst() }
    }

    /// Receives one trapped call while a question is up: an open of an app with asked devices that names none runs
    /// on (CONTINUE, as askForDevice would answer it); anything else is held for after the answer.
    static func serveMeanwhile(channel: SeccompNotifyChannel, context: Context, held: HeldCalls) {
        guard let call = try? channel.receive() else { return }  // ENOENT: the caller died meanwhile
        let name = SeccompNotifyChannel.syscallName(call.syscall, arch: call.arch)
        if context.watchedOpens.contains(name), let root = context.containerRoot?.descriptor(for: call, channel: channel),
            DeviceOpen.read(call, name: name, devices: context.policy.askedDevices, root: root) == nil
        {
            try? channel.allow(call)
            return
        }
        held.hold(call)
    }
}
