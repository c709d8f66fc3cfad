/// Whether the host has the POSIX ACL tools (Debian package acl) that TauProvisioning runs for an app's owner, its
/// granted paths and sockets: asked while planning, so a convert that needs them is refused before anything is written.
public enum ACLTools {
    public static var hasSetfacl: Bool { has("setfacl") }

    public static var hasSetfaclAndGetfacl: Bool { has("setfacl") && has("getfacl") }

    private static func has(_ tool: String) -> Bool {
        ["/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/"].contains { FileSystem.kind($0 + tool) == .regular }
    }
}
