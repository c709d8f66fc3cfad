#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The C library's text for an errno ("No such file or directory"), or "errno N" for a code it has no text for.
public func errnoText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return String(cString: text)
}

/// errnoText with a lower-case first letter, the way Go, runc and Podman spell errno ("no such file or directory").
public func errnoTextLowercased(_ code: Int32) -> String {
    let message = errnoText(code)
    guard let first = message.first else { return "errno \(code)" }
    return first.lowercased() + message.dropFirst()
}
