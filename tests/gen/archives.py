"""Generated hostile archives and member names, each with the outcome folio must
record (see expect.py for the case format).  Pure python: zip headers are written
by hand (mkzip) where zipfile would refuse the lie; tar through tarfile.
cases(canary) -> list of cases; canary is a path no member may ever create."""
import io, os, struct, tarfile, zlib

MTIME = 1780000000
TXT = b"fictional coaching notes\n"


# ---------------------------------------------------------------- zip by hand
class M:
    """One zip member as written: every header field can lie."""
    def __init__(self, name, data=TXT, method=8, **kw):
        # a str name is UTF-8 with the flag (bit 11); bytes go as they are,
        # flag clear, as DOS-era tools wrote them
        self.name = name if isinstance(name, bytes) else name.encode()
        self.flags = 0x800 if isinstance(name, str) and not name.isascii() else 0
        self.data = data
        self.method = method
        if method == 8:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            self.payload = c.compress(data) + c.flush()
        else:
            self.payload = data
        self.crc = zlib.crc32(data)
        self.usize = len(data)
        self.extra = b""
        self.attr = 0o100644 << 16
        self.system = 3
        self.zip64 = False
        self.offset = None          # a central entry pointing at another's header
        self.__dict__.update(kw)


def mkzip(members, disk=0, prefix=b"", suffix=b""):
    out = bytearray(prefix)
    central = bytearray()
    offsets = []
    for m in members:
        if m.offset is not None:
            offsets.append(offsets[m.offset])
            continue
        offsets.append(len(out))
        extra = m.extra
        csize, usize = len(m.payload), m.usize
        if m.zip64:
            extra = struct.pack("<HHQQ", 1, 16, usize, csize) + extra
            csize = usize = 0xFFFFFFFF
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if m.zip64 else 20, m.flags,
                           m.method, 0, 0x5B80, m.crc, csize, usize, len(m.name), len(extra))
        out += m.name + extra + m.payload
    for m, off in zip(members, offsets):
        extra = m.extra
        csize, usize = len(m.payload), m.usize
        if m.zip64:
            extra = struct.pack("<HHQQQ", 1, 24, usize, csize, off) + extra
            csize = usize = off = 0xFFFFFFFF
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, m.system << 8 | 45,
                               45 if m.zip64 else 20, m.flags, m.method, 0, 0x5B80, m.crc,
                               csize, usize, len(m.name), len(extra), 0, 0, 0, m.attr,
                               min(off, 0xFFFFFFFF))
        central += m.name + extra
    cd_at = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, disk, disk, len(members), len(members),
                       len(central), cd_at, 0)
    return bytes(out + suffix)


def zipcrypto(m, password=b"fictional"):
    """Encrypts m's payload with traditional PKWARE encryption (bit 0)."""
    keys = [0x12345678, 0x23456789, 0x34567890]

    def crc1(c, b):
        return zlib.crc32(bytes([b]), c ^ 0xFFFFFFFF) ^ 0xFFFFFFFF

    def update(b):
        keys[0] = crc1(keys[0], b)
        keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        keys[2] = crc1(keys[2], keys[1] >> 24)

    for b in password:
        update(b)
    out = bytearray()
    for b in os.urandom(11) + bytes([m.crc >> 24]) + m.payload:
        t = (keys[2] | 2) & 0xFFFF
        out.append(b ^ ((t * (t ^ 1)) >> 8) & 0xFF)
        update(b)
    m.payload = bytes(out)
    m.flags |= 1
    return m


def winzip_aes(m):
    """A WinZip AE-2 member (method 99, extra 0x9901, AES-256): salt, verifier,
    ciphertext and authentication code are random, as no reader gets past
    the missing password."""
    m.payload = os.urandom(16 + 2 + len(m.payload) + 10)
    m.extra = struct.pack("<HHH2sBH", 0x9901, 7, 2, b"AE", 3, m.method)
    m.method = 99
    m.flags |= 1
    m.crc = 0
    return m


def unicode_path(m, utf8, good=True):
    """Info-ZIP Unicode Path extra field (0x7075), its CRC over the header name."""
    crc = zlib.crc32(m.name) ^ (0 if good else 0x5A5A5A5A)
    u = utf8.encode()
    m.extra += struct.pack("<HHBI", 0x7075, 5 + len(u), 1, crc) + u
    return m


def deflate_stored_quote(b):
    """a non-final stored deflate block holding b"""
    return struct.pack("<BHH", 0, len(b), len(b) ^ 0xFFFF) + b


def overlap_bomb(n, kernel_bytes):
    """Fifield's overlapping-member construction: member i's deflate stream
    quotes member i+1's local header in a stored block and then runs on into
    member i+1's own stream, so every member ends in the one shared kernel.
    n members, kernel_bytes of zeros each, from a few KiB."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    kernel = c.compress(bytes(kernel_bytes)) + c.flush()
    names = [b"part%02d.bin" % i for i in range(n)]
    # build back to front: stream[i] = quote(header[i+1]) + stream[i+1]
    streams, outs, headers = [None] * n, [None] * n, [None] * n
    streams[n - 1], outs[n - 1] = kernel, bytes(kernel_bytes)
    for i in range(n - 1, -1, -1):
        if i < n - 1:
            streams[i] = deflate_stored_quote(headers[i + 1]) + streams[i + 1]
            outs[i] = headers[i + 1] + outs[i + 1]
        headers[i] = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x5B80,
                                 zlib.crc32(outs[i]), len(streams[i]), len(outs[i]),
                                 len(names[i]), 0) + names[i]
    body = headers[0] + streams[0]
    offsets, at = [], 0
    for i in range(n):
        offsets.append(at)
        at += len(headers[i]) + (len(streams[i]) - len(streams[i + 1]) - len(headers[i + 1])
                                 if i < n - 1 else len(streams[i]))
    central = bytearray()
    for i in range(n):
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 3 << 8 | 20, 20, 0, 8, 0,
                               0x5B80, zlib.crc32(outs[i]), len(streams[i]), len(outs[i]),
                               len(names[i]), 0, 0, 0, 0, 0o100644 << 16, offsets[i])
        central += names[i]
    return body + central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(central),
                                        len(body), 0)


# ---------------------------------------------------------------- tar, 7z, rar
def tar_bytes(members, fmt=tarfile.PAX_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for info, data in members:
            info.mtime = MTIME
            if data is not None:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
            else:
                t.addfile(info)
    return buf.getvalue()


def ti(name, kind=tarfile.REGTYPE, link=""):
    i = tarfile.TarInfo(name)
    i.type, i.linkname = kind, link
    if kind in (tarfile.CHRTYPE, tarfile.BLKTYPE):
        i.devmajor, i.devminor = 8, 0
    return i


def gzip_bytes(data):
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


def sevenzip_header_encrypted():
    """A 7z archive whose header is itself encrypted (7-Zip's -mhe=on): the
    next header is a kEncodedHeader whose one folder is the AES-256 coder
    (06F10701), so no member name can be read without the password."""
    packed = os.urandom(48)
    aes_props = bytes([0xC0 | 19, 0x0F]) + os.urandom(16)   # cycles, IV size 16
    folder = bytes([0x01, 0x24, 0x06, 0xF1, 0x07, 0x01, len(aes_props)]) + aes_props
    hdr = (bytes([0x17,                      # kEncodedHeader
                  0x06, 0x00, 0x01, 0x09, len(packed), 0x00,   # pack info
                  0x07, 0x0B, 0x01, 0x00]) + folder +          # unpack info: 1 folder
           bytes([0x0C, 40, 0x00, 0x00]))                      # unpack size 40, ends
    start = struct.pack("<QQI", len(packed), len(hdr), zlib.crc32(hdr))
    return (b"7z\xbc\xaf\x27\x1c\x00\x04" + struct.pack("<I", zlib.crc32(start)) + start +
            packed + hdr)


def rar5_volume():
    """The start of the first volume of a RAR 5 set: signature, then a main
    archive header whose archive flags say 'volume' (0x01)."""
    body = bytes([0x01, 0x00, 0x01])            # type main, no header flags, volume
    hdr = bytes([len(body)]) + body
    return b"Rar!\x1a\x07\x01\x00" + struct.pack("<I", zlib.crc32(hdr)) + hdr + os.urandom(64)


def pe_stub():
    """A minimal DOS/PE executable image (what an SFX starts with)."""
    dos = bytearray(128)
    dos[0:2] = b"MZ"
    dos[0x18:0x1A] = struct.pack("<H", 0x40)       # relocations past the header: a new exe
    dos[0x3C:0x40] = struct.pack("<I", 0x80)
    pe = b"PE\0\0" + struct.pack("<HHIIIHH", 0x14C, 0, 0, 0, 0, 0xE0, 0x0102)
    opt = bytearray(0xE0)
    opt[0:2] = b"\x0b\x01"
    return bytes(dos) + pe + bytes(opt) + bytes(512)


# ---------------------------------------------------------------- the cases
def case(name, data, top, members, **kw):
    c = {"name": name, "data": data, "kind": kw.pop("kind", "archive"),
         "verdict": top[0], "reasons": top[1], "members": members}
    c.update(kw)
    return c


ACC, REJ = "accepted", "rejected"


def cases(canary):
    C = []
    # ---- paths
    C.append(case("paths.zip", mkzip([
        M("good.txt"),
        M("../" + os.path.basename(os.path.dirname(canary)) + "-sibling/x.txt"),
        M("..\\..\\..\\..\\..\\..\\.." + canary.replace("/", "\\") + "-bs", system=0),
        M("a/b/../../../up.txt"),
        M("C:/Windows/win.ini"),
        M("c:drive-relative.txt"),
        M("\\\\server\\share\\unc.txt", system=0),
        M(canary + "-abs"),
        M("dots..txt"), M("..hidden/ok.txt"),
    ]), (ACC, []), [
        ("good.txt", ACC, []),
        ("../" + os.path.basename(os.path.dirname(canary)) + "-sibling/x.txt", REJ,
         ["archive-path-traversal"]),
        (None, REJ, ["archive-path-traversal"]),
        ("a/b/../../../up.txt", REJ, ["archive-path-traversal"]),
        ("C:/Windows/win.ini", REJ, ["archive-absolute-path"]),
        ("c:drive-relative.txt", REJ, ["archive-absolute-path"]),
        (None, REJ, ["archive-absolute-path"]),
        (canary + "-abs", REJ, ["archive-absolute-path"]),
        ("dots..txt", ACC, []), ("..hidden/ok.txt", ACC, []),
    ]))
    # ---- links and special files, in zip and tar
    C.append(case("links.zip", mkzip([
        M("file.txt"),
        M("inside", b"file.txt", method=0, attr=0o120777 << 16),
        M("outside", b"/etc/passwd", method=0, attr=0o120777 << 16),
        M("dir-link", b"../../..", method=0, attr=0o120777 << 16),
    ]), (ACC, []), [
        ("file.txt", ACC, []), ("inside", REJ, ["archive-link"]),
        ("outside", REJ, ["archive-link"]), ("dir-link", REJ, ["archive-link"]),
    ]))
    C.append(case("devices.tar", tar_bytes([
        (ti("sda", tarfile.BLKTYPE), None), (ti("tty", tarfile.CHRTYPE), None),
        (ti("pipe", tarfile.FIFOTYPE), None), (ti("real.txt"), TXT),
        (ti("hard-out", tarfile.LNKTYPE, "../../etc/shadow"), None),
        (ti("hard-in", tarfile.LNKTYPE, "real.txt"), None),
    ]), (ACC, []), [
        ("sda", REJ, ["archive-special-file"]), ("tty", REJ, ["archive-special-file"]),
        ("pipe", REJ, ["archive-special-file"]), ("real.txt", ACC, []),
        ("hard-out", REJ, ["archive-link"]), ("hard-in", REJ, ["archive-link"]),
    ]))
    # ---- bombs and size lies
    C.append(case("overlap-bomb.zip", overlap_bomb(6, 12 << 20), (REJ, ["archive-bomb"]), None))
    C.append(case("ratio-bomb.tar.gz", gzip_bytes(tar_bytes([(ti("zeros.bin"), bytes(24 << 20))])),
                  (REJ, ["archive-bomb"]), None))
    short = M("short.txt", TXT * 20, method=0)
    short.usize = 10                                  # declares 10, holds 500
    C.append(case("declared-smaller.zip", mkzip([short, M("after.txt")]),
                  (REJ, ["archive-corrupt"]), None))
    big = M("big.txt", b"hello", method=0, zip64=True)
    big.usize = 5 + (1 << 32)                         # declares 4 GiB more than it holds
    C.append(case("declared-4gib-more.zip", mkzip([big]), (REJ, ["archive-corrupt"]), None))
    d = M("deflated.txt", TXT * 40, zip64=True)
    d.usize += 1 << 32
    C.append(case("deflate-4gib-more.zip", mkzip([d]), (REJ, ["archive-corrupt"]), None))
    tar = tar_bytes([(ti("clip.txt"), TXT * 100)])
    C.append(case("tar-size-lie.tar", tar[:512] + tar[512:1024], (REJ, ["archive-corrupt"]), None))
    # ---- encryption
    C.append(case("zipcrypto.zip", mkzip([zipcrypto(M("secret.txt")), M("open.txt")]),
                  (ACC, []), [("secret.txt", REJ, ["archive-encrypted"]), ("open.txt", ACC, [])]))
    C.append(case("aes.zip", mkzip([winzip_aes(M("secret.txt")), M("open.txt")]),
                  (ACC, []), [("secret.txt", REJ, ["archive-encrypted"]), ("open.txt", ACC, [])]))
    C.append(case("header-encrypted.7z", sevenzip_header_encrypted(),
                  (REJ, ["archive-encrypted"]), None))
    # ---- split and multi-volume sets
    whole = mkzip([M("a.txt", os.urandom(4000), method=0), M("b.txt")])
    C.append(case("portfolio.zip.001", whole[:2048], (REJ, ["archive-multi-volume"]), None))
    C.append(case("portfolio.z01", b"PK\x07\x08" + whole[:2048], (REJ, ["archive-multi-volume"]), None))
    C.append(case("spanned.zip", b"PK\x07\x08" + whole, (REJ, ["archive-multi-volume"]), None))
    C.append(case("last-disk.zip", mkzip([M("a.txt")], disk=2), (REJ, ["archive-multi-volume"]), None))
    C.append(case("set.part1.rar", rar5_volume(), (REJ, ["archive-multi-volume"]), None))
    # ---- truncation and CRC damage
    big_tar = tar_bytes([(ti("a.txt"), TXT), (ti("b.bin"), os.urandom(40000))])
    C.append(case("truncated.tar", big_tar[:len(big_tar) // 2], (REJ, ["archive-corrupt"]), None))
    tgz = gzip_bytes(big_tar)
    C.append(case("truncated.tar.gz", tgz[:len(tgz) // 2], (REJ, ["archive-corrupt"]), None))
    gz = bytearray(gzip_bytes(TXT * 50))
    gz[-8] ^= 0xFF                                    # the trailer's CRC-32
    C.append(case("notes.txt.gz", bytes(gz), (REJ, ["archive-corrupt"]), None))
    bad = M("damaged.txt", TXT * 40)
    bad.crc ^= 1
    C.append(case("crc.zip", mkzip([M("fine.txt"), bad]), (REJ, ["archive-corrupt"]), None))
    dir_data = ti("folder/")
    C.append(case("folder-with-data.tar", tar_bytes([(ti("a.txt"), TXT), (dir_data, TXT * 4),
                                                     (ti("hidden.txt"), TXT)]),
                  (REJ, ["archive-corrupt"]), None))
    hdr = bytearray(big_tar)
    hdr[1024 + 148] ^= 0x07                           # the second member's header checksum
    C.append(case("tar-checksum.tar", bytes(hdr), (REJ, ["archive-corrupt"]), None))
    # ---- nesting, empty, self-extracting, trailing junk
    l3 = mkzip([M("deepest.txt")])
    l2 = gzip_bytes(tar_bytes([(ti("l3.zip"), l3), (ti("two.txt"), TXT)]))
    C.append(case("nested.zip", mkzip([M("l2.tar.gz", l2, method=0), M("one.txt")]), (ACC, []), [
        ("l2.tar.gz", ACC, []), ("l2.tar.gz/l3.zip", REJ, ["archive-nested-too-deep"]),
        ("l2.tar.gz/two.txt", ACC, []), ("one.txt", ACC, []),
    ]))
    # an empty tar is 10 KiB of zeros: nothing says "archive" (libmagic: data),
    # nor does libavformat open it
    C.append(case("empty.tar", tar_bytes([]), (REJ, ["type-not-allowed"]), None, kind="other"))
    C.append(case("dirs-only.tar", tar_bytes([(ti("a", tarfile.DIRTYPE), None)]),
                  (REJ, ["archive-empty"]), None))
    C.append(case("empty.zip", mkzip([]), (REJ, ["archive-empty"]), None))
    C.append(case("setup.exe", pe_stub() + mkzip([M("run.bat", b"echo fictional\r\n")]),
                  (REJ, ["type-not-allowed"]), None, kind="other"))
    with open("/bin/true", "rb") as f:
        elf = f.read()
    C.append(case("installer.bin", elf + mkzip([M("run.sh", b"echo fictional\n")]),
                  (REJ, ["type-not-allowed"]), None, kind="other"))
    C.append(case("trailing-junk.zip", mkzip([M("kept.txt")], suffix=b"\0junk\n" * 200),
                  (ACC, []), [("kept.txt", ACC, [])]))
    # ---- names
    C.append(case("cp437.zip", mkzip([M(b"Conversaci\xa2n.txt"), M(b"\x90l\x8ave \x9a.txt")]),
                  (ACC, []), [("Conversación.txt", ACC, ["name-repaired"]),
                              ("Élève Ü.txt", ACC, ["name-repaired"])]))
    ru = "Привет/Отзыв.txt".encode("cp866")
    C.append(case("cp866.zip", mkzip([M(ru)]), (ACC, []), [(None, ACC, ["name-repaired"])]))
    C.append(case("cp866.zip", mkzip([M(ru), M("ПРИВЕТ.txt".encode("cp866")),
                                      M("привет.txt".encode("cp866"))]),
                  (ACC, []), [("Привет/Отзыв.txt", ACC, ["name-repaired"]),
                              ("ПРИВЕТ.txt", ACC, ["name-repaired"]),
                              ("привет.txt", ACC, ["name-repaired"])], page="CP866"))
    jp = "表/ソフト.txt".encode("cp932")              # 0x5C trail bytes in both
    C.append(case("cp932.zip", mkzip([M(jp)]), (ACC, []), [(None, ACC, ["name-repaired"])]))
    C.append(case("cp932.zip", mkzip([M(jp)]), (ACC, []),
                  [("表/ソフト.txt", ACC, ["name-repaired"])], page="CP932"))
    C.append(case("unicode-path.zip", mkzip([
        unicode_path(M(b"caf\x82.txt"), "café.txt"),
        unicode_path(M(b"na\x8bve.txt"), "wrong.txt", good=False),
    ]), (ACC, []), [("café.txt", ACC, []), ("naïve.txt", ACC, ["name-repaired"])]))
    nfd = "Cafe\u0301 cre\u0300me.txt"
    C.append(case("macos-nfd.zip", mkzip([M(nfd)]), (ACC, []),
                  [("Café crème.txt", ACC, [])]))
    C.append(case("lying-flag.zip", mkzip([M(b"caf\xe9.txt", flags=0x800), M("ok.txt")]),
                  (ACC, []), [("(unreadable name 1)", REJ, ["archive-corrupt"]),
                              ("ok.txt", ACC, [])]))
    C.append(case("windows.tar", tar_bytes([(ti("folder\\notes.txt"), TXT)]), (ACC, []),
                  [("folder\\notes.txt", ACC, [])]))
    C.append(case("windows.zip", mkzip([M("folder\\notes.txt", system=0)]), (ACC, []),
                  [("folder/notes.txt", ACC, [])]))
    C.append(case("control.zip", mkzip([M("bell\x07.txt"), M("new\nline.txt"),
                                        M("esc\x1b[31m.txt"), M("del\x7f.txt"),
                                        M("c1\u0085.txt")]),
                  (ACC, []), [("bell\ufffd.txt", ACC, ["name-repaired"]),
                              ("new\ufffdline.txt", ACC, ["name-repaired"]),
                              ("esc\ufffd[31m.txt", ACC, ["name-repaired"]),
                              ("del\ufffd.txt", ACC, ["name-repaired"]),
                              ("c1\ufffd.txt", ACC, ["name-repaired"])]))
    long_comp = "n" * 251 + ".txt"
    deep = "d/" * 800 + "deep.txt"
    C.append(case("long.tar", tar_bytes([(ti(long_comp), TXT), (ti(deep), TXT),
                                         (ti("x" * 5000 + ".txt"), TXT)]),
                  (ACC, []), [(long_comp, ACC, []), (deep, ACC, []),
                              ("(unreadable name 3)", REJ, ["archive-corrupt"])]))
    C.append(case("nfc-dupes.zip", mkzip([M("Résumé.txt"), M("Re\u0301sume\u0301.txt"),
                                          M("résumé.txt")]),
                  (ACC, []), [("Résumé.txt", ACC, []),
                              ("Résumé.txt", REJ, ["archive-duplicate-member"]),
                              ("résumé.txt", ACC, [])]))
    return C
