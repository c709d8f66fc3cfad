extension StateStore {
    /// The config.json create applied, kept in the container's root-only state dir: `exec` reads this one, never
    /// the bundle's file, which its owner may have changed since (removing linux.seccomp there must not unfilter
    /// an exec'd process).
    public func configFile(of id: String) -> String { directory(of: id) + "/config.json" }
}
