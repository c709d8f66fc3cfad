/// Where an app's command comes from, in order: `taurun convert MANIFEST -- CMD ARGS` (which replaces the manifest's),
/// the manifest's `command`, else a convention of the app's rootfs: the program `/app/bin/<last label of the id>`
/// (`org.tauos.media` → `/app/bin/media`). The design notes' own manifest.tau example names no command, so an app
/// packaged that way converts without flags; `/app` is where Flatpak puts an app's own files, so it cannot be
/// mistaken for a program of the base system that merely shares the app's name. Convert refuses (E_MANIFEST) only when
/// none of the three gives one, saying how to supply it.
enum AppCommand {
    static func conventionalPath(for id: AppID) -> String {
        "/app/bin/" + (id.rawValue.split(separator: ".").last.map(String.init) ?? id.rawValue)
    }

    /// Whether `hostPath` (the conventional path inside the rootfs) can be the app's program: a regular file with an
    /// execute bit, or a symlink (resolved by the runtime inside the rootfs, like busybox's applet links).
    static func isProgram(_ hostPath: String) -> Bool {
        switch FileSystem.kind(hostPath) {
        case .regular?: return (try? FileSystem.status(hostPath)).map { $0.st_mode & 0o111 != 0 } ?? false
        case .symlink?: return true
        default: return false
        }
    }
}
