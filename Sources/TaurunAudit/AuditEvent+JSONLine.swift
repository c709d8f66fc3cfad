// The on-disk form of one record: one compact line through the one JSON writer, members in a fixed order (time
// first, message last: `tail` and `grep` read naturally), absent fields left out; AuditLog.decode reads it back.

import TaurunSupport

extension AuditEvent {
    /// The record as one JSON object followed by "\n".
    public func jsonLine() -> String {
        var members: [JSONValue.Member] = [("time", .string(time)), ("event", .string(event.rawValue))]
        if let app { members.append(("app", .string(app))) }
        if let container { members.append(("container", .string(container))) }
        if let pid { members.append(("pid", .number(pid))) }
        if let permission { members.append(("permission", .string(permission))) }
        if let syscall { members.append(("syscall", .string(syscall))) }
        if let args { members.append(("args", .array(args.map { .number($0) }))) }
        if let path { members.append(("path", .string(path))) }
        if let action { members.append(("action", .string(action))) }
        members.append(("message", .string(message)))
        return String(decoding: JSONWriter(indent: nil, keyOrder: .asBuilt).write(.object(members)) + [0x0A], as: UTF8.self)
    }
}
