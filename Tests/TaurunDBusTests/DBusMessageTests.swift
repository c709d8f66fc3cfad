import Testing
@testable import TaurunDBus

/// Byte-exact checks against messages busctl (sd-bus, systemd's own client) sent, captured before any bus
/// daemon touched them with Tests/Integration/systemd-mock/capture_raw.py (the commands are in each test).
struct DBusMessageTests {
    static func bytes(_ hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var iterator = Array(hex.utf8).makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            result.append((DBusAddress.hexDigit(high) ?? 0) << 4 | (DBusAddress.hexDigit(low) ?? 0))
        }
        return result
    }

    /// busctl --address=… call (any): its Hello, serial 1.
    static let hello = bytes("6c01000100000000010000006d00000001016f00150000002f6f72672f667265656465736b746f702f44427573000000030173000500000048656c6c6f00000002017300140000006f72672e667265656465736b746f702e444275730000000006017300140000006f72672e667265656465736b746f702e4442757300000000")

    /// busctl --allow-interactive-authorization=no --address=… call org.freedesktop.systemd1 /org/freedesktop/systemd1
    ///   org.freedesktop.systemd1.Manager StartTransientUnit 'ssa(sv)a(sa(sv))' libpod-abc.scope replace 5
    ///   Slice s machine.slice PIDs au 1 4242 Delegate b true MemoryLimit t 67108864
    ///   DeviceAllow 'a(ss)' 2 /dev/char/1:3 rwm char-136 rw 0
    static let startTransientUnit = bytes("6c0100010001000002000000b600000001016f00190000002f6f72672f667265656465736b746f702f73797374656d643100000000000000030173001200000053746172745472616e7369656e74556e697400000000000002017300200000006f72672e667265656465736b746f702e73797374656d64312e4d616e61676572000000000000000006017300180000006f72672e667265656465736b746f702e73797374656d64310000000000000000080167001073736128737629612873612873762929000000100000006c6962706f642d6162632e73636f706500000000070000007265706c61636500cf00000005000000536c696365000173000000000d0000006d616368696e652e736c696365000000000000000400000050494473000261750000000004000000921000000800000044656c65676174650001620001000000000000000b0000004d656d6f72794c696d697400017400000000000000000004000000000b000000446576696365416c6c6f7700056128737329000037000000000000000d0000002f6465762f636861722f313a330000000300000072776d000000000008000000636861722d3133360000000002000000727700000000000000000000")

    /// … StopUnit ss libpod-abc.scope replace
    static let stopUnit = bytes("6c0100012400000002000000a000000001016f00190000002f6f72672f667265656465736b746f702f73797374656d643100000000000000030173000800000053746f70556e6974000000000000000002017300200000006f72672e667265656465736b746f702e73797374656d64312e4d616e61676572000000000000000006017300180000006f72672e667265656465736b746f702e73797374656d643100000000000000000801670002737300100000006c6962706f642d6162632e73636f706500000000070000007265706c61636500")

    static let startBody: [DBusValue] = [
        .string("libpod-abc.scope"), .string("replace"),
        .array(element: "(sv)", [
            .property("Slice", .string("machine.slice")),
            .property("PIDs", .array(element: "u", [.uint32(4242)])),
            .property("Delegate", .bool(true)),
            .property("MemoryLimit", .uint64(67_108_864)),
            .property("DeviceAllow", .array(element: "(ss)", [
                .structure([.string("/dev/char/1:3"), .string("rwm")]),
                .structure([.string("char-136"), .string("rw")]),
            ])),
        ]),
        .array(element: "(sa(sv))", []),
    ]

    static func managerCall(_ member: String, serial: UInt32, _ body: [DBusValue]) -> DBusMessage {
        .methodCall(serial: serial, destination: "org.freedesktop.systemd1", path: "/org/freedesktop/systemd1",
                    interface: "org.freedesktop.systemd1.Manager", member: member, body: body)
    }

    @Test func helloMatchesSdBus() throws {
        let hello = DBusMessage.methodCall(serial: 1, destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                                           interface: "org.freedesktop.DBus", member: "Hello")
        #expect(try hello.encoded() == Self.hello)
    }

    @Test func startTransientUnitMatchesSdBus() throws {
        let message = Self.managerCall("StartTransientUnit", serial: 2, Self.startBody)
        #expect(message.signature == "ssa(sv)a(sa(sv))")
        #expect(try message.encoded() == Self.startTransientUnit)
    }

    @Test func stopUnitMatchesSdBus() throws {
        let message = Self.managerCall("StopUnit", serial: 2, [.string("libpod-abc.scope"), .string("replace")])
        #expect(try message.encoded() == Self.stopUnit)
    }

    @Test func decodesWhatSdBusSent() throws {
        let message = try DBusMessage.decode(Self.startTransientUnit)
        #expect(message.kind == .methodCall)
        #expect(message.serial == 2)
        #expect(message.path == "/org/freedesktop/systemd1")
        #expect(message.interface == "org.freedesktop.systemd1.Manager")
        #expect(message.member == "StartTransientUnit")
        #expect(message.destination == "org.freedesktop.systemd1")
        #expect(message.body == Self.startBody)
    }

    @Test func roundTripsEveryBasicType() throws {
        var message = DBusMessage(kind: .signal, serial: 7, path: "/a", interface: "a.b", member: "C", body: [
            .byte(1), .bool(false), .int16(-2), .uint16(3), .int32(-4), .uint32(5), .int64(-6), .uint64(7), .double(1.5),
            .string("é"), .objectPath("/x/y"), .signature("a{sv}"),
            .array(element: "{sv}", [.dictEntry(.string("k"), .variant(.array(element: "y", [.byte(9)])))]),
            .array(element: "t", []), .structure([.byte(1), .structure([.uint64(2)])]), .variant(.variant(.int32(3))),
        ])
        message.sender = ":1.9"
        let decoded = try DBusMessage.decode(try message.encoded())
        #expect(decoded == message)
    }

    @Test func alignsAgainstTheMessageStart() throws {
        // y then t: the uint64 starts at body offset 8, so 7 bytes of padding after the byte.
        var writer = DBusWriter()
        try writer.append(.byte(0xff))
        try writer.append(.uint64(1))
        #expect(writer.bytes == [0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
        // An empty array of structs still pads to 8 after its length, and the padding is not counted.
        var empty = DBusWriter()
        try empty.append(.array(element: "(ss)", []))
        #expect(empty.bytes == [0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func readsBigEndianMessages() throws {
        // A method return ("B", serial 3, reply serial 2, signature "u", body 0x01020304).
        let fields: [UInt8] = [5, 1, 0x75, 0, 0, 0, 0, 2, 8, 1, 0x67, 0, 1, 0x75, 0]
        var bytes: [UInt8] = [0x42, 2, 0, 1, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, UInt8(fields.count)] + fields
        bytes += [0, 1, 2, 3, 4]
        let message = try DBusMessage.decode(bytes)
        #expect(message.kind == .methodReturn)
        #expect(message.replySerial == 2)
        #expect(message.body == [.uint32(0x0102_0304)])
    }

    @Test func rejectsMalformedInput() {
        var truncated = Self.startTransientUnit
        truncated.removeLast(9)
        #expect(throws: DBusError.self) { try DBusMessage.decode(truncated) }
        // The length of "replace" (the body's last 12 bytes: length, 7 bytes, NUL) made to run past the end.
        var overlong = Self.stopUnit
        #expect(overlong[overlong.count - 12] == 7)
        overlong[overlong.count - 12] = 0xff
        #expect(throws: DBusError.self) { try DBusMessage.decode(overlong) }
        #expect(throws: DBusError.self) { try DBusSignature.completeTypes("a(s") }
        #expect(throws: DBusError.self) { try DBusSignature.completeTypes("a{s}") }
        #expect(throws: DBusError.self) { try DBusSignature.completeTypes("z") }
        #expect(throws: DBusError.self) { try DBusSignature.completeTypes(String(repeating: "a", count: 70) + "y") }
    }

    @Test func splitsSignatures() throws {
        #expect(try DBusSignature.completeTypes("ssa(sv)a(sa(sv))") == ["s", "s", "a(sv)", "a(sa(sv))"])
        #expect(try DBusSignature.completeTypes("uoss") == ["u", "o", "s", "s"])
        #expect(try DBusSignature.completeTypes("a{sv}") == ["a{sv}"])
    }

    @Test func parsesAddresses() throws {
        #expect(try DBusAddress.parseList("unix:path=/run/dbus/system_bus_socket") == [DBusAddress(socket: .path("/run/dbus/system_bus_socket"))])
        #expect(try DBusAddress.parseList("tcp:host=x,port=1;unix:abstract=/tmp/dbus-X%2cY,guid=ab") == [DBusAddress(socket: .abstract("/tmp/dbus-X,Y"))])
        #expect(throws: DBusError.self) { try DBusAddress.parseList("tcp:host=localhost,port=1") }
        #expect(throws: DBusError.self) { try DBusAddress.parseList("unix:path=/a%zz") }
    }
}
