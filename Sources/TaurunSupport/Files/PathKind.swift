/// What a path names, from the type bits of its stat.
public enum PathKind: Equatable, Sendable {
    case directory, regular, symlink, characterDevice, other
}
