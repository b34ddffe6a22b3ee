"""Generated media and documents of every broken or tricky kind folio must
judge right (see expect.py for the case format).  Clips come from ffmpeg's
lavfi sources, cached by their arguments in $FOLIO_FIXTURES; documents are
written by hand.  cases() -> list of cases."""
import hashlib, io, os, struct, subprocess, zipfile

FX = os.environ.get("FOLIO_FIXTURES") or "/tmp"
VIDEO = ["-f", "lavfi", "-i", "testsrc=size=160x90:rate=10:duration={d}"]
AUDIO = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000:duration={d}"]
ENC_V = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "40", "-g", "10"]
ENC_A = ["-c:a", "aac", "-b:a", "16k", "-ac", "1"]


MUXER = {"mkv": "matroska", "m4a": "mp4", "ts": "mpegts"}


def ffmpeg(name, args, d=3, pipe=False):
    """a clip made once per args; returns its path in the fixtures cache"""
    args = [a.format(d=d) for a in args]
    key = hashlib.sha256(repr((args, name, pipe)).encode()).hexdigest()[:16]
    out = os.path.join(FX, f"gen-{key}-{name}")
    if not os.path.exists(out):
        cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y"] + args + ["-map_metadata", "-1"]
        tmp = out + ".tmp"
        ext = name.rsplit(".", 1)[1]
        fmt = MUXER.get(ext, ext)
        if pipe:          # a non-seekable output: the muxer cannot go back
            with open(tmp, "wb") as f:
                subprocess.run(cmd + ["-f", fmt, "pipe:1"], stdout=f, check=True)
        else:
            subprocess.run(cmd + ["-f", fmt, tmp], check=True)
        os.replace(tmp, out)
    return out


def read(p):
    with open(p, "rb") as f:
        return f.read()


def boxes(data, start=0, end=None):
    """(type, offset, size) of the ISO BMFF boxes in data[start:end]"""
    end = len(data) if end is None else end
    at = start
    while at + 8 <= end:
        size, typ = struct.unpack(">I4s", data[at:at + 8])
        if size < 8:
            break
        yield typ, at, size
        at += size


def find_box(data, path):
    start, end = 0, len(data)
    for typ in path:
        for t, at, size in boxes(data, start, end):
            if t == typ:
                start, end = at + 8, at + size
                found = at
                break
        else:
            raise KeyError(path)
    return found


def patch_mvhd_duration(data, value):
    """sets the 32-bit movie duration of a version-0 mvhd"""
    b = bytearray(data)
    at = find_box(data, [b"moov", b"mvhd"])
    assert b[at + 8] == 0, "mvhd version 1"
    b[at + 24:at + 28] = struct.pack(">I", value)
    return bytes(b)


def docx(order):
    """a minimal WordprocessingML package with its parts in that order"""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        "docProps/app.xml": '<?xml version="1.0" encoding="UTF-8"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>LibreOffice/7.4</Application></Properties>',
        "word/document.xml": '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Fictional coaching statement.</w:t></w:r></w:p></w:body></w:document>',
        "word/styles.xml": '<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in order:
            z.writestr(zipfile.ZipInfo(name, (2026, 5, 28, 12, 0, 0)), parts[name],
                       compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


WORD_ORDER = ["[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml",
              "docProps/app.xml"]
LIBREOFFICE_ORDER = ["_rels/.rels", "docProps/app.xml", "word/styles.xml", "word/document.xml",
                     "[Content_Types].xml"]


def pdf(encrypted):
    """a one-page PDF, with a standard-security /Encrypt dictionary if asked"""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"]
    if encrypted:
        objs.append("<< /Filter /Standard /V 2 /R 3 /Length 128 /P -3904 /O <" + "ab" * 32 +
                    "> /U <" + "cd" * 32 + "> >>")
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offs = []
    for i, o in enumerate(objs):
        offs.append(len(out))
        out += f"{i + 1} 0 obj\n{o}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for o in offs:
        out += f"{o:010d} 00000 n \n".encode()
    trailer = f"<< /Size {len(objs) + 1} /Root 1 0 R"
    if encrypted:
        trailer += f" /Encrypt {len(objs)} 0 R /ID [<{'01' * 16}> <{'01' * 16}>]"
    out += f"trailer\n{trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def encrypted_ooxml():
    """what Office writes for a password-protected .docx: a compound file
    (CFB v3) whose root storage holds EncryptionInfo and EncryptedPackage"""
    sector = 512
    hdr = bytearray(sector)
    hdr[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", hdr, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIII", hdr, 44, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE)
    struct.pack_into("<I", hdr, 72, 0)
    struct.pack_into("<I", hdr, 76, 0)                   # DIFAT[0]: FAT in sector 0
    for i in range(1, 109):
        struct.pack_into("<I", hdr, 76 + 4 * i, 0xFFFFFFFF)
    fat = bytearray(b"\xff" * sector)
    struct.pack_into("<III", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFE)

    def entry(name, typ, child=0xFFFFFFFF, right=0xFFFFFFFF, start=0xFFFFFFFE, size=0):
        e = bytearray(128)
        u = (name + "\0").encode("utf-16-le")
        e[0:len(u)] = u
        struct.pack_into("<HBB", e, 64, len(u), typ, 1)
        struct.pack_into("<III", e, 68, 0xFFFFFFFF, right, child)
        struct.pack_into("<II", e, 116, start, size)
        return bytes(e)

    dirs = (entry("Root Entry", 5, child=1) + entry("EncryptionInfo", 2, right=2, start=2, size=64)
            + entry("EncryptedPackage", 2, size=0) + bytes(128))
    data = bytearray(os.urandom(sector))
    return bytes(hdr + fat + dirs + data)


ACC, REJ = "accepted", "rejected"


def case(name, data, kind, verdict, reasons, duration=None, **kw):
    c = {"name": name, "kind": kind, "verdict": verdict, "reasons": reasons,
         "members": kw.pop("members", None), "duration": duration}
    if isinstance(data, str):
        c["path"] = data
    else:
        c["data"] = data
    c.update(kw)
    return c


def cases():
    C = []
    av = VIDEO + AUDIO + ENC_V + ENC_A
    moov_end = ffmpeg("moov-end.mp4", av, d=3)
    C.append(case("moov-at-end.mp4", moov_end, "video", ACC, [], (3.0, 0.15)))
    b = read(moov_end)
    C.append(case("moov-missing.mp4", b[:find_box(b, [b"moov"])], "video", REJ, ["media-corrupt"]))
    fast = read(ffmpeg("faststart.mp4", av + ["-movflags", "+faststart"], d=5))
    # header says 5 s; the data stops at about 2.5 s
    C.append(case("faststart-cut.mp4", fast[:len(fast) // 2], "video", REJ, ["media-corrupt"],
                  (2.5, 0.6)))
    C.append(case("fragmented.mp4", ffmpeg("frag.mp4", av + ["-movflags",
                  "frag_keyframe+empty_moov+default_base_moof"], d=3), "video", ACC, [], (3.27, 0.1)))
    # (no edit list trims the AAC encoder delay here: 3.27 s of packets)
    C.append(case("live.webm", ffmpeg("live.webm", VIDEO + AUDIO + ["-c:v", "libvpx", "-b:v", "50k",
                  "-deadline", "realtime", "-c:a", "libopus", "-b:a", "16k"], d=3, pipe=True),
                  "video", ACC, [], (3.0, 0.15)))
    C.append(case("vfr.mp4", ffmpeg("vfr.mp4", VIDEO + AUDIO + [
        "-vf", "setpts='if(lt(N,20),N*0.05,1.0+(N-20)*0.15)/TB'", "-fps_mode", "vfr"]
        + ENC_V + ENC_A, d=4), "video", ACC, [], (4.0, 0.25)))
    trimmed = ffmpeg("trim.mp4", ["-ss", "1.25", "-i", ffmpeg("src5.mp4", av, d=5), "-c", "copy"])
    C.append(case("edit-list.mp4", trimmed, "video", ACC, [], (3.75, 0.15)))
    C.append(case("mvhd-all-ones.mp4", patch_mvhd_duration(read(moov_end), 0xFFFFFFFF), "video",
                  ACC, ["duration-header-mismatch"], (3.0, 0.15)))
    C.append(case("mvhd-wrapped.mp4", patch_mvhd_duration(read(moov_end), 700), "video",
                  ACC, ["duration-header-mismatch"], (3.0, 0.15)))
    C.append(case("ten-hours.mp4", ffmpeg("10h.mp4", av + ["-output_ts_offset", "36000"], d=3),
                  "video", ACC, [], (3.2, 0.1)))
    # the offset the last session found rejected: a header of 9000003 s
    C.append(case("offset-9000000.mp4", ffmpeg("9e6.mp4", av + ["-output_ts_offset", "9000000"], d=3),
                  "video", ACC, [], (3.2, 0.1)))
    C.append(case("ten-hours.mkv", ffmpeg("10h.mkv", av + ["-output_ts_offset", "36000"], d=3),
                  "video", ACC, [], (3.2, 0.1)))
    # 2^33 / 90 kHz = 95443.72 s: the 33-bit PTS wraps 1.7 s in
    C.append(case("ts-wrap.ts", ffmpeg("wrap.ts", av + ["-output_ts_offset", "95442"], d=3),
                  "video", ACC, [], (3.0, 0.2)))
    wav = read(ffmpeg("tone.wav", AUDIO + ["-c:a", "pcm_s16le"], d=2))
    C.append(case("cut.wav", wav[:len(wav) - 3000], "audio", REJ, ["media-corrupt", "no-video-stream"]))
    C.append(case("streamed.wav", ffmpeg("pipe.wav", AUDIO + ["-c:a", "pcm_s16le"], d=2, pipe=True),
                  "audio", REJ, ["no-video-stream"], (2.0, 0.05)))
    # audio alone in a video slot: no-video-stream rejects it there
    C.append(case("audio-only.mp4", ffmpeg("aonly.mp4", AUDIO + ENC_A, d=3), "audio", REJ,
                  ["no-video-stream"], (3.0, 0.1)))
    C.append(case("audio-only.mkv", ffmpeg("aonly.mkv", AUDIO + ENC_A, d=3), "audio", REJ,
                  ["no-video-stream"], (3.2, 0.1)))
    C.append(case("webm-named.mp4", ffmpeg("named.webm", VIDEO + AUDIO + ["-c:v", "libvpx",
                  "-b:v", "50k", "-deadline", "realtime", "-c:a", "libopus", "-b:a", "16k"], d=3),
                  "video", ACC, ["extension-mismatch"], (3.0, 0.15)))
    # documents
    C.append(case("word-order.docx", docx(WORD_ORDER), "document", ACC, [], slot="W1",
                  mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    C.append(case("libreoffice-order.docx", docx(LIBREOFFICE_ORDER), "document", ACC, [], slot="W1",
                  mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("statement.pdf", pdf(False))
    C.append(case("renamed-zip.docx", zipped.getvalue(), "archive", ACC, ["extension-mismatch"],
                  members=[("statement.pdf", ACC, [])], slot="W1"))
    C.append(case("statement.pdf", pdf(False), "document", ACC, [], slot="W1"))
    C.append(case("locked.pdf", pdf(True), "document", REJ, ["document-encrypted"], slot="W1"))
    C.append(case("locked.docx", encrypted_ooxml(), "document", REJ, ["document-encrypted"],
                  slot="W1"))
    C.append(case("empty.pdf", b"", "other", REJ, ["empty-file"], slot="W1"))
    # one byte is "very short file (no magic)": nothing to judge as a document
    C.append(case("one-byte.pdf", b"%", "other", REJ, ["type-not-allowed"], slot="W1"))
    C.append(case("one-byte.mp4", b"\x00", "other", REJ, ["type-not-allowed"]))
    return C
