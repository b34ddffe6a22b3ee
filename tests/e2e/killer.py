#!/usr/bin/env python3
"""killer.py POINT DATA CMD... — runs CMD in a process group of its own and
sends SIGKILL to the whole group when POINT is reached, polling every
millisecond; then waits until no process of the group is left (an orphaned
stage would still hold the data directory's lock).  Prints "killed" or
"ended" (CMD finished before the point).  POINT is one of:
    stage:NAME      a process folio-NAME of the group is running
    stage:NAME+MS   MS milliseconds after that
    only:NAME+MS    as stage:, but only that stage's process is killed ('folio
                    run' sees its stage die and stops by itself)
    tmp:GLOB        a file DATA/tmp/GLOB exists and is not empty
    media           an .mp4 has been renamed into DATA/media/
    ms:MS           MS milliseconds after CMD started"""
import glob
import os
import signal
import subprocess
import sys
import time


def group_members(pgid):
    """(pid, comm) of every live process in process group pgid."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
        except OSError:
            continue
        comm = s[s.index("(") + 1:s.rindex(")")]
        rest = s[s.rindex(")") + 2:].split()
        if int(rest[2]) == pgid and rest[0] != "Z":
            out.append((int(d), comm))
    return out


def nonempty(path):
    try:
        return os.path.getsize(path) > 0
    except OSError:
        return False  # renamed into place meanwhile


def main():
    point, data, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, start_new_session=True, stderr=subprocess.DEVNULL)
    seen_at = stage_pid = None
    reached = False
    while p.poll() is None:
        now = time.monotonic()
        if point.startswith(("stage:", "only:")):
            name, _, delay = point.partition(":")[2].partition("+")
            stage = [pid for pid, c in group_members(p.pid) if c == f"folio-{name}"[:15]]
            if seen_at is None and stage:
                seen_at, stage_pid = now, stage[0]
            reached = seen_at is not None and now - seen_at >= float(delay or 0) / 1000
        elif point.startswith("tmp:"):
            reached = any(nonempty(f) for f in glob.glob(os.path.join(data, "tmp", point[4:])))
        elif point == "media":
            reached = bool(glob.glob(os.path.join(data, "media", "*", "*", "*.mp4")))
        elif point.startswith("ms:"):
            reached = now - t0 >= float(point[3:]) / 1000
        else:
            sys.exit(f"killer.py: unknown point {point}")
        if reached:
            try:
                if point.startswith("only:"):
                    os.kill(stage_pid, signal.SIGKILL)
                else:
                    os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            break
        time.sleep(0.001)
    p.wait()
    for _ in range(5000):
        if not group_members(p.pid):
            break
        time.sleep(0.002)
    else:
        sys.exit(f"killer.py: processes of group {p.pid} live on after SIGKILL")
    print("killed" if reached else "ended")


main()
