/// The host's users from /etc/passwd, read directly (taurun is a static binary: no NSS). Convert asks who owns an
/// app (OwnerAccess), whose homes no app may mount (PolicyValidator), and who an ordinary caller is (Caller: the
/// name their subordinate id ranges are listed under, the home their state lives in).
struct HostUsers {
    struct User {
        var name: String
        var uid: UInt32
        var home: String
    }

    let users: [User]

    /// `text`: a passwd file (injectable for tests); nil reads /etc/passwd, none at all when it is missing.
    init(passwd text: String? = nil) {
        let bytes = text.map { Array($0.utf8) } ?? ((try? FileSystem.readFile("/etc/passwd")) ?? [])
        // Split on bytes, as getpwent does: splitting a String by Characters walks grapheme clusters and cost about
        // 1M instructions of every convert for a 24-line file.
        users = bytes.split(separator: UInt8(ascii: "\n")).compactMap { line in
            let fields = line.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            guard fields.count >= 6, let uid = UInt32(String(decoding: fields[2], as: UTF8.self)) else { return nil }
            return User(name: String(decoding: fields[0], as: UTF8.self), uid: uid, home: String(decoding: fields[5], as: UTF8.self))
        }
    }

    /// Every home directory, once (not "/" nor the nonexistent placeholder directory of system accounts).
    var homes: [String] {
        var homes: [String] = []
        for user in users where user.home.hasPrefix("/") && user.home != "/" && user.home != "/nonexistent" && !homes.contains(user.home) {
            homes.append(user.home)
        }
        return homes
    }

    func uid(named name: String) -> UInt32? { users.first { $0.name == name }?.uid }

    func name(of uid: UInt32) -> String? { users.first { $0.uid == uid }?.name }

    func home(of uid: UInt32) -> String? { users.first { $0.uid == uid }?.home }

    /// The uid of `--owner` `name` (a user name or a number) in the host's /etc/passwd; nil for root, who needs no entry.
    static func ownerUID(of name: String, passwd: String? = nil) throws(SandboxError) -> UInt32? {
        guard let uid = UInt32(name) ?? HostUsers(passwd: passwd).uid(named: name) else { throw .policyDenied(reason: "--owner \(name): no such user in /etc/passwd") }
        return uid == 0 ? nil : uid
    }
}
