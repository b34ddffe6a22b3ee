#!/usr/bin/env python3
"""Fills a fresh folio.db (schema made by the real programs) with synthetic
candidates for the report tests, as the pipeline would leave them.

Usage: report_fixture.py DB hostile          one candidate with hostile names
       report_fixture.py DB many N           N ordinary candidates (timing)

Both record run 1 with its stages, and every verdict in verdict_history.
"""
import sqlite3
import sys

T0 = 1780000000  # 2026-05-28, inside the 2026 window


class Fx:
    def __init__(self, db):
        self.con = sqlite3.connect(db)
        self.con.execute("INSERT INTO runs(id, started_at, finished_at, status) VALUES(1, ?, ?, 'ok')",
                         (T0 + 3600, T0 + 3660))
        for i, st in enumerate(["folio-scan", "folio-identify", "folio-validate"]):
            self.con.execute("INSERT INTO run_stages VALUES(1, ?, ?, ?, 0, 10, 0, 1000, 2000)",
                             (st, T0 + 3600 + i, T0 + 3601 + i))

    def file(self, cand, entry, path, verdict, slot=None, reasons="", parent=None, kind="video",
             mime="video/mp4", dur=200.0, size=400000, codec="h264", desc="", sha=None, state="done",
             post="", normalized=None, rotation=0, t=T0, raw_path=None):
        c = self.con
        up = c.execute("INSERT INTO uploads(candidate_id, entry_id, rel_path, size_bytes, mtime,"
                       " sha256, first_run, changed_run, seen_run) VALUES(?,?,?,?,?,?,1,1,1)",
                       (cand, entry, f"{path}#{c.total_changes}", size, t, sha)).lastrowid
        sha = sha or f"{cand}-{path}-{c.total_changes}"
        fid = c.execute(
            "INSERT INTO files(upload_id, parent_id, candidate_id, entry_id, source_path, upload_time,"
            " sha256, size_bytes, state, slot_id, verdict, reasons, post_reasons, normalized_path,"
            " created_run, judged_run) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,1)",
            (up, parent, cand, entry, path, t, sha, size, state, slot, verdict, reasons, post,
             normalized)).lastrowid
        if raw_path is not None:  # bytes that are not UTF-8, as a zip may hold them
            c.execute("UPDATE files SET source_path = CAST(? AS TEXT) WHERE id = ?", (raw_path, fid))
        if kind is not None:
            c.execute("INSERT OR IGNORE INTO facts(sha256, mime_type, kind, description, duration_s,"
                      " video_codec, audio_codec, rotation, probed) VALUES(?,?,?,?,?,?,?,?,1)",
                      (sha, mime, kind, desc, dur if kind in ("video", "audio") else None,
                       codec if kind == "video" else None, "aac" if kind in ("video", "audio") else None,
                       rotation))
        c.execute("INSERT INTO verdict_history(file_id, run_id, at, slot_id, verdict, reasons)"
                  " VALUES(?, 1, ?, ?, ?, ?)", (fid, T0 + 3650, slot, verdict, reasons))
        return fid

    def entry(self, cand, entry, status, missing):
        self.con.execute("INSERT INTO entries(candidate_id, entry_id, status, missing_slots,"
                         " completed_run) VALUES(?,?,?,?,?)",
                         (cand, entry, status, missing, 1 if status == "complete" else None))


def hostile(fx):
    c = "c2026-0901"
    fx.file(c, "E1", "V1/<script>alert(1)</script>.mp4", "rejected", "V1", "duration-too-long", dur=750)
    fx.file(c, "E1", "V2/\"><img src=x onerror=alert(1)>.mp4", "accepted", "V2")
    fx.file(c, "E1", "V3/clip\u202egpj.exe.mp4", "accepted", "V3")
    fx.file(c, "E1", "V4/red\x1b[31mbell\x07cr\rnl\nend.mp4", "accepted", "V4")
    fx.file(c, "E1", "V5/" + "x" * 3000 + "_end.mp4", "rejected", "V5", "file-too-large",
            size=3_000_000_000)
    fx.file(c, "E1", "W1/a&amp;b &lt;i&gt; 'q'.pdf", "rejected", "W1", "type-not-allowed",
            kind="document", mime="application/octet-stream", desc="<svg onload=alert(1)> data")
    z = fx.file(c, "E1", "ev<b>il</b>.zip", "accepted", None, "", kind="archive",
                mime="application/zip")
    fx.file(c, "E1", "ev<b>il</b>.zip/<i>in</i>\u2066side.mp4", "rejected", None, "slot-unknown",
            parent=z)
    fx.file(c, "E1", "", "rejected", None, "some-new-code", parent=z, kind=None,
            raw_path=b"ev<b>il</b>.zip/Conversaci\xa2n.mp4")
    # an older take replaced by a newer one, which a system failure holds
    fx.file(c, "E1", "V6/old_take.mp4", "superseded", "V6", t=T0 - 86400)
    fx.file(c, "E1", "V6/new_take.mp4", "pending", "V6", state="held", kind=None)
    fx.entry(c, "E1", "incomplete", "W1,V1,V5,V6")
    # a candidate id that would climb out of DATA/reports
    fx.file("../escape", "E1", "V1/a.mp4", "accepted", "V1")


def many(fx, n):
    for i in range(n):
        c = f"c2026-{i + 1000:04d}"
        for s in range(1, 7):
            bad = s == 2 and i % 3 == 0
            fx.file(c, "E1", f"V{s}/clip_{s}.mp4", "rejected" if bad else "accepted", f"V{s}",
                    "duration-too-long" if bad else "", dur=400 if bad else 200,
                    normalized=None if bad else f"media/{c}/V{s}.mp4")
        fx.file(c, "E1", "W1/written.pdf", "accepted", "W1", kind="document",
                mime="application/pdf")
        fx.file(c, "E1", "__MACOSX/._V1.mp4", "skipped", None, "junk-file", kind="other",
                mime="application/octet-stream")
        fx.entry(c, "E1", "incomplete" if i % 3 == 0 else "complete", "V2" if i % 3 == 0 else "")


def main():
    fx = Fx(sys.argv[1])
    if sys.argv[2] == "hostile":
        hostile(fx)
    else:
        many(fx, int(sys.argv[3]))
    fx.con.commit()


main()
