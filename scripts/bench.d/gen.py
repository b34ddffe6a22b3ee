#!/usr/bin/env python3
"""Deterministic inputs for scripts/bench (all people and data fictional).

Usage: gen.py KIND OUT [N]
  clips-zip OUT MB        OUT/inbox: one candidate uploading one zip of six clips
                          (V1..V6) of about MB/6 MB each, deflated
  small-zips OUT N        OUT/inbox: N candidates, each one zip of 900 small files
  check OUT N             OUT/inbox: N mixed small files (clips, PDFs, images, junk)
                          over N/200 candidates, uploaded loose into E1
  nightly OUT N           OUT/inbox: N candidates of small generated files (a PDF, a
                          note, every 10th a short clip for V1)
  heavy OUT N             OUT/inbox: N candidates, each one 31 s 1080p clip to
                          re-encode (heavy-360: 360p60, for --quick)
  duration OUT            OUT/front.mp4 (index first) and OUT/nodur.mp4 (fragmented:
                          no duration in its header), 60 s 720p
The same arguments always give the same bytes: seeded random numbers, fixed
timestamps, bit-exact ffmpeg output (one encoder thread).  Base clips are made
with ffmpeg once under OUT/../base and varied by appending a 'free' box, which
every MP4 reader skips, so no two files share content.
"""
import os
import random
import shutil
import struct
import subprocess
import sys
import zipfile

IN_WINDOW = 1780000000          # 2026-05-28, inside the 2026 window
ZIPTIME = (2026, 5, 20, 10, 0, 0)


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args],
                   check=True)


def base_dir(out):
    d = os.path.join(os.path.dirname(os.path.abspath(out)), "base")
    os.makedirs(d, exist_ok=True)
    return d


def base_clip(out, name, args):
    """A clip made once and kept (bit-exact: the same bytes every time)."""
    path = os.path.join(base_dir(out), name)
    if not os.path.exists(path):
        ffmpeg(*args, "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact",
               "-flags:a", "+bitexact", "-threads", "1", path + ".tmp." + name.split(".")[-1])
        os.replace(path + ".tmp." + name.split(".")[-1], path)
    return path


def small_clip(out, seconds, tone, size="160x90", rate=5, ext="mp4"):
    return base_clip(out, f"small-{size}-{rate}-{seconds}-{tone}.{ext}", [
        "-f", "lavfi", "-i", f"testsrc=size={size}:rate={rate}:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency={tone}:sample_rate=8000:duration={seconds}",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "40",
        "-c:a", "aac", "-b:a", "8k", "-ac", "1"])


def free_box(tag):
    body = tag.encode()
    return struct.pack(">I4s", 8 + len(body), b"free") + body


def variant(src, dst, tag):
    """src's bytes plus a free box naming tag: a distinct, still valid MP4."""
    with open(src, "rb") as f:
        data = f.read()
    with open(dst, "wb") as f:
        f.write(data + free_box(tag))


def pdf_bytes(title, pad=0):
    text = f"BT /F1 14 Tf 72 720 Td ({title}) Tj ET".encode() + b"\n%" + b"x" * pad
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def images(out):
    """A PNG and a JPEG made once; variants get bytes after their end marker."""
    png = os.path.join(base_dir(out), "still.png")
    jpg = os.path.join(base_dir(out), "still.jpg")
    if not os.path.exists(png):
        ffmpeg("-f", "lavfi", "-i", "testsrc=size=320x240:duration=1", "-frames:v", "1",
               "-fflags", "+bitexact", "-flags", "+bitexact", png + ".tmp.png")
        os.replace(png + ".tmp.png", png)
    if not os.path.exists(jpg):
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x480:duration=1", "-frames:v", "1",
               "-fflags", "+bitexact", "-flags", "+bitexact", jpg + ".tmp.jpg")
        os.replace(jpg + ".tmp.jpg", jpg)
    return open(png, "rb").read(), open(jpg, "rb").read()


def text_bytes(rng, n):
    words = ["portfolio", "lesson", "reflection", "students", "evidence", "session",
             "the", "and", "of", "a", "plan", "goal", "notes", "assessment", "group"]
    out = []
    size = 0
    while size < n:
        w = rng.choice(words)
        out.append(w)
        size += len(w) + 1
    return (" ".join(out) + "\n").encode()[:max(n, 1)]


def touch_all(root):
    for d, _, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(d, name), (IN_WINDOW, IN_WINDOW))


def fresh(out):
    inbox = os.path.join(out, "inbox")
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(inbox)
    return inbox


def clips_zip(out, mb):
    inbox = fresh(out)
    each = max(mb // 6, 1)
    # a 1080p clip with heavy grain at near-lossless quality: about 60 MB a
    # second, as incompressible as a phone's; six distinct copies of it
    seconds = max(round(each / 60), 1)
    src = base_clip(out, f"big-{seconds}s.mp4", [
        "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=30:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=330:sample_rate=48000:duration={seconds}",
        "-vf", "noise=alls=30:allf=t", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "8",
        "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k"])
    d = os.path.join(inbox, "c2026-0001", "E1")
    os.makedirs(d)
    with open(src, "rb") as f:
        data = f.read()
    with zipfile.ZipFile(os.path.join(d, "sessions.zip"), "w", allowZip64=True) as z:
        for i in range(6):
            info = zipfile.ZipInfo(f"Entry 1/V{i + 1}_session{i + 1}.mp4", ZIPTIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info._compresslevel = 1
            with z.open(info, "w", force_zip64=True) as m:
                for k in range(0, len(data), 1 << 24):
                    m.write(data[k:k + (1 << 24)])
                m.write(free_box(f"folio-bench clip {i + 1}"))
    touch_all(inbox)


def small_zips(out, n):
    inbox = fresh(out)
    rng = random.Random(20260501)
    png, jpg = images(out)
    for c in range(n):
        d = os.path.join(inbox, f"c2026-{c + 1:04d}", "E1")
        os.makedirs(d)
        with zipfile.ZipFile(os.path.join(d, "evidence.zip"), "w", zipfile.ZIP_DEFLATED) as z:
            for i in range(900):
                k = i % 6
                if k < 3:
                    name, data = f"notes/day{i // 30:02d}/note-{i:04d}.txt", \
                        text_bytes(rng, rng.randint(300, 6000))
                elif k == 3:
                    name, data = f"photos/img-{i:04d}.jpg", jpg + b"%d-%d" % (c, i)
                elif k == 4:
                    name, data = f"scans/scan-{i:04d}.png", png + b"%d-%d" % (c, i)
                else:
                    name, data = f"docs/plan-{i:04d}.pdf", pdf_bytes(f"Plan {c}-{i}", rng.randint(0, 2000))
                z.writestr(zipfile.ZipInfo(name, ZIPTIME), data, zipfile.ZIP_DEFLATED)
    touch_all(inbox)


def check(out, n):
    inbox = fresh(out)
    rng = random.Random(20260502)
    png, jpg = images(out)
    bases = [small_clip(out, 4, 440), small_clip(out, 6, 520, "320x180", 10),
             small_clip(out, 3, 600, "160x120", 5, "mov")]
    ncand = max(n // 200, 1)
    for c in range(ncand):
        os.makedirs(os.path.join(inbox, f"c2026-{c + 1:04d}", "E1"))
    for i in range(n):
        d = os.path.join(inbox, f"c2026-{i % ncand + 1:04d}", "E1")
        k = i % 20
        if k < 6:            # 30% clips
            b = bases[i % len(bases)]
            variant(b, os.path.join(d, f"V{i % 6 + 1}_clip{i:04d}.{b.rsplit('.', 1)[1]}"),
                    f"check {i}")
            continue
        if k < 11:           # 25% PDFs
            name, data = f"W1_doc{i:04d}.pdf", pdf_bytes(f"Document {i}", rng.randint(0, 4000))
        elif k < 16:         # 25% images
            name, data = (f"photo{i:04d}.jpg", jpg) if k % 2 else (f"scan{i:04d}.png", png)
            data += b"img %d" % i
        elif k == 16:        # junk: a Mac's .DS_Store-like file under a normal name
            name, data = f"folder{i:04d}.bin", b"\x00\x00\x00\x01Bud1" + rng.randbytes(200)
        elif k == 17:
            name, data = f"notes{i:04d}.txt", text_bytes(rng, rng.randint(100, 3000))
        elif k == 18:
            name, data = f"random{i:04d}.dat", rng.randbytes(rng.randint(64, 8192))
        else:                # a clip's name on bytes that are no clip
            name, data = f"V1_broken{i:04d}.mp4", rng.randbytes(4096)
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    touch_all(inbox)


def nightly(out, n):
    inbox = fresh(out)
    rng = random.Random(20260503)
    base = small_clip(out, 31, 440)
    for c in range(n):
        d = os.path.join(inbox, f"c2026-{c + 1:04d}", "E1")
        os.makedirs(os.path.join(d, "W1"))
        with open(os.path.join(d, "W1", "commentary.pdf"), "wb") as f:
            f.write(pdf_bytes(f"Commentary {c + 1}", rng.randint(0, 3000)))
        with open(os.path.join(d, "notes.txt"), "wb") as f:
            f.write(text_bytes(rng, rng.randint(200, 2000)))
        if c % 10 == 0:
            os.makedirs(os.path.join(d, "V1"))
            variant(base, os.path.join(d, "V1", "session.mp4"), f"candidate {c + 1}")
    touch_all(inbox)


def heavy(out, n, size="1920x1080", rate=30):
    """Clips folio must re-encode: 1080p30 is over the profile's 720p; the
    smaller --quick one is at 60 fps, over its 30."""
    inbox = fresh(out)
    src = base_clip(out, f"heavy-{size}-{rate}-31s.mp4", [
        "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration=31",
        "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000:duration=31",
        "-vf", "noise=alls=8:allf=t", "-af", "volume=-20dB", "-ac", "2",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "192k"])
    for c in range(n):
        d = os.path.join(inbox, f"c2026-{c + 1:04d}", "E1", "V1")
        os.makedirs(d)
        variant(src, os.path.join(d, "session.mp4"), f"heavy {c + 1}")
    touch_all(inbox)


def duration(out):
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    src = ["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=60",
           "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000:duration=60",
           "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
           "-c:a", "aac", "-b:a", "128k"]
    front = base_clip(out, "dur-front.mp4", src + ["-movflags", "+faststart"])
    nodur = base_clip(out, "dur-nodur.mp4", src + ["-movflags", "frag_keyframe+empty_moov"])
    shutil.copyfile(front, os.path.join(out, "front.mp4"))
    shutil.copyfile(nodur, os.path.join(out, "nodur.mp4"))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    kind, out = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    {"clips-zip": lambda: clips_zip(out, n), "small-zips": lambda: small_zips(out, n),
     "check": lambda: check(out, n), "nightly": lambda: nightly(out, n),
     "heavy": lambda: heavy(out, n),
     "heavy-360": lambda: heavy(out, n, "640x360", 60), "duration": lambda: duration(out)}[kind]()


if __name__ == "__main__":
    main()
