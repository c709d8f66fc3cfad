#!/usr/bin/python3
"""A stand-in for systemd's manager API (org.freedesktop.systemd1) on a private dbus-daemon, for testing
taurun's --systemd-cgroup driver on hosts where systemd is not PID 1.

It does what systemd does for a transient scope, as far as the driver can observe: StartTransientUnit makes
the scope's cgroup directory (slice expanded, e.g. machine.slice/machine-x.slice/<unit>) in each hierarchy
given with --hierarchy, moves the PIDs= processes there, replies with a job path and then emits
JobRemoved(id, job, unit, "done"); StopUnit kills what is left in the scope, removes those directories and
emits JobRemoved. Every call is appended to --record as one JSON line, properties with their D-Bus types, so
tests can check exactly what was sent.

Runs on Debian's /usr/bin/python3 (dbus-python). There is no python3-gi here, so the GLib main context that
dbus-python's DBusGMainLoop attaches to is iterated directly through libglib with ctypes.
"""
import argparse, ctypes, json, os, signal, sys, time

import dbus
import dbus.service
import dbus.mainloop.glib

MANAGER = "org.freedesktop.systemd1.Manager"
PATH = "/org/freedesktop/systemd1"


def signature_of(value):
    """The D-Bus type of a value dbus-python decoded (its classes keep the wire type)."""
    table = [(dbus.Boolean, "b"), (dbus.Byte, "y"), (dbus.Int16, "n"), (dbus.UInt16, "q"), (dbus.Int32, "i"),
             (dbus.UInt32, "u"), (dbus.Int64, "x"), (dbus.UInt64, "t"), (dbus.Double, "d"),
             (dbus.ObjectPath, "o"), (dbus.Signature, "g"), (dbus.String, "s")]
    for cls, code in table:
        if isinstance(value, cls):
            return code
    if isinstance(value, dbus.Array):
        if value.signature:
            return "a" + value.signature
        return "a" + (signature_of(value[0]) if len(value) else "?")
    if isinstance(value, dbus.Struct):
        return "(" + "".join(signature_of(v) for v in value) + ")"
    if isinstance(value, dbus.Dictionary):
        return "a{" + (value.signature or "??") + "}"
    return "?"


def plain(value):
    if isinstance(value, (dbus.Array, dbus.Struct, list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dbus.Boolean):
        return bool(value)
    if isinstance(value, (dbus.Byte, dbus.Int16, dbus.UInt16, dbus.Int32, dbus.UInt32, dbus.Int64, dbus.UInt64)):
        return int(value)
    if isinstance(value, dbus.Double):
        return float(value)
    return str(value)


def properties_json(properties):
    return [[str(name), signature_of(value), plain(value)] for name, value in properties]


def expand_slice(slice_name):
    base = slice_name[:-len(".slice")]
    if base == "-":
        return []
    parts, prefix = [], ""
    for component in base.split("-"):
        parts.append(prefix + component + ".slice")
        prefix += component + "-"
    return parts


class Manager(dbus.service.Object):
    def __init__(self, bus, args):
        super().__init__(bus, PATH)
        self.args = args
        self.units = {}  # unit -> [directories]
        self.next_job = 1

    def record(self, method, **fields):
        with open(self.args.record, "a") as out:
            out.write(json.dumps(dict(method=method, **fields)) + "\n")

    def job(self, unit, result, reply):
        job_id = self.next_job
        self.next_job += 1
        path = dbus.ObjectPath("%s/job/%d" % (PATH, job_id))
        if self.args.signal_before_reply:
            self.JobRemoved(dbus.UInt32(job_id), path, unit, result)
            reply(path)
        else:
            reply(path)
            self.JobRemoved(dbus.UInt32(job_id), path, unit, result)

    @dbus.service.method(MANAGER, in_signature="ssa(sv)a(sa(sv))", out_signature="o", async_callbacks=("reply", "error"))
    def StartTransientUnit(self, name, mode, properties, aux, reply, error):
        self.record("StartTransientUnit", unit=str(name), mode=str(mode), properties=properties_json(properties), aux=len(aux))
        if name in self.units:
            error(dbus.DBusException("Unit %s already exists." % name, name="org.freedesktop.systemd1.UnitExists"))
            return
        values = {str(k): v for k, v in properties}
        slice_name = str(values.get("Slice", "system.slice"))
        directories = []
        for hierarchy in self.args.hierarchy:
            directory = os.path.join(hierarchy, *expand_slice(slice_name), str(name))
            os.makedirs(directory, exist_ok=True)
            if self.args.mirror:
                # The kernel gives a new cgroup the control files of its hierarchy; a mirror copies their names.
                for entry in os.listdir(hierarchy):
                    source = os.path.join(hierarchy, entry)
                    if os.path.isfile(source) and entry != "cgroup.procs":
                        open(os.path.join(directory, entry), "a").close()
            for pid in values.get("PIDs", []):
                with open(os.path.join(directory, "cgroup.procs"), "a") as procs:
                    procs.write("%d\n" % int(pid))
            directories.append(directory)
        self.units[str(name)] = directories
        self.job(name, self.args.start_result, reply)

    @dbus.service.method(MANAGER, in_signature="ss", out_signature="o", async_callbacks=("reply", "error"))
    def StopUnit(self, name, mode, reply, error):
        self.record("StopUnit", unit=str(name), mode=str(mode))
        directories = self.units.pop(str(name), None)
        if directories is None:
            error(dbus.DBusException("Unit %s not loaded." % name, name="org.freedesktop.systemd1.NoSuchUnit"))
            return
        for directory in directories:
            try:
                with open(os.path.join(directory, "cgroup.procs")) as procs:
                    for line in procs:
                        if line.strip():
                            try:
                                os.kill(int(line), signal.SIGKILL)
                            except ProcessLookupError:
                                pass
            except OSError:
                pass
        for directory in directories:
            remove_cgroup(directory, self.args.mirror)
        self.job(name, "done", reply)

    @dbus.service.method(MANAGER, in_signature="sba(sv)", out_signature="")
    def SetUnitProperties(self, name, runtime, properties):
        self.record("SetUnitProperties", unit=str(name), runtime=bool(runtime), properties=properties_json(properties))
        if str(name) not in self.units:
            raise dbus.DBusException("Unit %s not loaded." % name, name="org.freedesktop.systemd1.NoSuchUnit")

    @dbus.service.method(MANAGER, in_signature="s", out_signature="")
    def ResetFailedUnit(self, name):
        self.record("ResetFailedUnit", unit=str(name))

    @dbus.service.method(MANAGER, in_signature="", out_signature="")
    def Subscribe(self):
        pass

    @dbus.service.signal(MANAGER, signature="uoss")
    def JobRemoved(self, job_id, job, unit, result):
        pass


def remove_cgroup(directory, mirror):
    """rmdir, retried while killed processes leave (EBUSY); a mirror tree holds plain files first."""
    for _ in range(200):
        try:
            if mirror:
                for entry in os.listdir(directory):
                    path = os.path.join(directory, entry)
                    if not os.path.isdir(path):
                        os.unlink(path)
            os.rmdir(directory)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.01)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    parser.add_argument("--record", required=True)
    parser.add_argument("--ready", required=True, help="file created once the name is owned")
    parser.add_argument("--hierarchy", action="append", default=[], help="cgroup hierarchy root to make scope dirs in")
    parser.add_argument("--mirror", action="store_true", help="hierarchies are plain directories, not cgroupfs")
    parser.add_argument("--start-result", default="done", help="JobRemoved result for starts (e.g. failed)")
    parser.add_argument("--signal-before-reply", action="store_true")
    args = parser.parse_args()

    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(args.address)
    name = dbus.service.BusName("org.freedesktop.systemd1", bus, do_not_queue=True)
    manager = Manager(bus, args)
    with open(args.ready, "w") as ready:
        ready.write(str(os.getpid()))
    glib = ctypes.CDLL("libglib-2.0.so.0")
    glib.g_main_context_iteration.argtypes = [ctypes.c_void_p, ctypes.c_int]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        glib.g_main_context_iteration(None, 1)


if __name__ == "__main__":
    main()
