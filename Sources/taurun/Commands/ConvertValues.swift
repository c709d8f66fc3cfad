import TauSandbox

/// What `convert`'s arguments say, as plain values: ConvertCommand gives them after ArgumentParser parsed it, and
/// ConvertSpellingParse reads them without ArgumentParser and makes the same command from them.
struct ConvertValues: Equatable {
    var manifest: String
    var bundle: String
    var rootfs: String?
    var data: String?
    var grants: [String] = []
    var yes = false
    var stateDirectory: String = StateLayout.defaultDirectory
    var deviceRoot: String = "/dev"
    var json = false
    var owner: String?
    var onViolation: String?
    var command: [String] = []
}

extension ConvertCommand {
    var values: ConvertValues {
        ConvertValues(
            manifest: manifest, bundle: bundle, rootfs: rootfs, data: data, grants: grants, yes: yes,
            stateDirectory: stateDirectory, deviceRoot: deviceRoot, json: json, owner: owner, onViolation: onViolation,
            command: command)
    }

    /// The command with these values in every property, as if ArgumentParser had parsed them (its property wrappers
    /// take a value set this way; every one must be set, or reading it traps).
    init(_ values: ConvertValues) {
        self.init()
        manifest = values.manifest
        bundle = values.bundle
        rootfs = values.rootfs
        data = values.data
        grants = values.grants
        yes = values.yes
        stateDirectory = values.stateDirectory
        deviceRoot = values.deviceRoot
        json = values.json
        owner = values.owner
        onViolation = values.onViolation
        command = values.command
    }
}
