import TaurunDBus
import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The few calls of systemd's manager API (org.freedesktop.systemd1.Manager) the cgroup driver makes, over a
/// synchronous DBusConnection. Jobs are waited for through the JobRemoved signal, as runc and crun do, so a
/// scope is in place (its cgroup made, the pid moved) before the container goes on.
struct SystemdClient {
    static let service = "org.freedesktop.systemd1"
    static let objectPath = "/org/freedesktop/systemd1"
    static let managerInterface = "org.freedesktop.systemd1.Manager"
    /// runc's limit for systemd to answer and finish a job.
    static let timeoutMilliseconds = 30_000
    /// Test-only: a bus address to use instead of the system bus (e.g. a dbus-daemon running a mock systemd).
    static let addressOverrideVariable = "TAURUN_SYSTEMD_BUS"

    let connection: DBusConnection

    /// The test bus from TAURUN_SYSTEMD_BUS, if set.
    static var addressOverride: String? {
        guard let value = getenv(addressOverrideVariable) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    /// The system bus (DBUS_SYSTEM_BUS_ADDRESS or /run/dbus/system_bus_socket), then, for root, systemd's
    /// private socket, which works without dbus-daemon (the order of go-systemd's dbus.New, which runc uses).
    /// `override` (a test bus) replaces all of that.
    static func connect(override: String?) throws(DBusError) -> SystemdClient {
        var candidates: [(address: DBusAddress, hello: Bool)] = []
        if let override {
            candidates = try DBusAddress.parseList(override).map { ($0, true) }
        } else {
            let system = getenv("DBUS_SYSTEM_BUS_ADDRESS").map { String(cString: $0) } ?? ""
            let list = try? DBusAddress.parseList(system.isEmpty ? "unix:path=/run/dbus/system_bus_socket" : system)
            candidates = (list ?? []).map { ($0, true) }
            if ProcessIdentity.effectiveUID == 0 { candidates.append((DBusAddress(socket: .path("/run/systemd/private")), false)) }
        }
        var firstError: DBusError?
        for candidate in candidates {
            do {
                let connection = try DBusConnection.open(candidate.address, hello: candidate.hello, timeoutMilliseconds: timeoutMilliseconds)
                return SystemdClient(connection: connection)
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        throw firstError ?? .unsupportedAddress("")
    }

    func managerCall(_ member: String, _ body: [DBusValue]) throws(DBusError) -> DBusMessage {
        try connection.call(.methodCall(serial: 0, destination: Self.service, path: Self.objectPath, interface: Self.managerInterface,
                                        member: member, body: body),
                            timeoutMilliseconds: Self.timeoutMilliseconds)
    }

    /// Asks for JobRemoved signals: a match rule on a message bus (a direct connection gets them anyway), and
    /// Subscribe, without which systemd may not emit them at all.
    func subscribeToJobs() throws(DBusError) {
        if connection.uniqueName != nil {
            let rule = "type='signal',sender='\(Self.service)',path='\(Self.objectPath)',interface='\(Self.managerInterface)',member='JobRemoved'"
            _ = try connection.call(.methodCall(serial: 0, destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                                                interface: "org.freedesktop.DBus", member: "AddMatch", body: [.string(rule)]),
                                    timeoutMilliseconds: Self.timeoutMilliseconds)
        }
        do {
            _ = try managerCall("Subscribe", [])
        } catch {
            // Already subscribed (org.freedesktop.systemd1.AlreadySubscribed) is fine; anything else is not.
            if error.remoteName != "org.freedesktop.systemd1.AlreadySubscribed" { throw error }
        }
    }

    /// StartTransientUnit(name, mode "replace", properties, no aux units), then waits for its job. Returns the
    /// job's result ("done" on success; "failed", "canceled", "timeout", "dependency", ... otherwise).
    func startTransientUnit(_ unit: String, properties: [DBusValue]) throws(DBusError) -> String {
        try subscribeToJobs()
        let reply = try managerCall("StartTransientUnit", [
            .string(unit), .string("replace"), .array(element: "(sv)", properties), .array(element: "(sa(sv))", []),
        ])
        return try waitForJob(reply, unit: unit)
    }

    /// StopUnit(name, "replace") and waits for the job; the job result, as for start.
    func stopUnit(_ unit: String) throws(DBusError) -> String {
        try subscribeToJobs()
        let reply = try managerCall("StopUnit", [.string(unit), .string("replace")])
        return try waitForJob(reply, unit: unit)
    }

    /// SetUnitProperties(name, runtime = true, properties): the change lasts until reboot, as the unit does.
    func setUnitProperties(_ unit: String, properties: [DBusValue]) throws(DBusError) {
        _ = try managerCall("SetUnitProperties", [.string(unit), .bool(true), .array(element: "(sv)", properties)])
    }

    /// Lets systemd forget a unit that ended in the failed state, so its name can be used again.
    func resetFailedUnit(_ unit: String) throws(DBusError) {
        _ = try managerCall("ResetFailedUnit", [.string(unit)])
    }

    /// JobRemoved(u id, o job, s unit, s result) for the job object path the call returned.
    private func waitForJob(_ reply: DBusMessage, unit: String) throws(DBusError) -> String {
        guard case .objectPath(let job)? = reply.body.first else {
            throw .malformed("\(reply.member ?? "the call") for \(unit) returned no job object path")
        }
        let signal = try connection.waitForSignal(timeoutMilliseconds: Self.timeoutMilliseconds, what: "systemd to finish the job for \(unit)") { message in
            guard message.member == "JobRemoved", message.interface == Self.managerInterface, message.body.count == 4,
                  case .objectPath(let path) = message.body[1] else { return false }
            return path == job
        }
        return signal.body[3].stringValue ?? ""
    }
}
