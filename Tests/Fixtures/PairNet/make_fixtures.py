#!/usr/bin/env python3
"""Writes the PairNet parity fixtures: a few of ../shared/reference/chips/*.png as raw interleaved RGB
(`NAME.rgb`, 150*150*3 = 67,500 bytes, row-major) and dlib's descriptors of them (`descriptors.json`:
[{"name": NAME, "descriptor": [128 floats]}]).  Re-run from this folder:

    python3 make_fixtures.py /work/shared/reference NAME...
"""
import json
import struct
import sys
import zlib


def read_png_rgb(path):
    """8-bit RGB/RGBA non-interlaced PNG -> bytes, interleaved RGB (same filters as numpy_forward.py)."""
    b = open(path, "rb").read()
    assert b[:8] == b"\x89PNG\r\n\x1a\n"
    p, idat, hdr = 8, b"", None
    while p < len(b):
        n, t = struct.unpack(">I4s", b[p:p + 8])
        d = b[p + 8:p + 8 + n]
        if t == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", d)
        elif t == b"IDAT":
            idat += d
        p += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    assert depth == 8 and ctype in (2, 6) and interlace == 0, hdr
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    out = bytearray()
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)]
        cur = bytearray(stride)
        for x in range(stride):
            a = cur[x - bpp] if x >= bpp else 0
            up = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 0:
                pr = 0
            elif f == 1:
                pr = a
            elif f == 2:
                pr = up
            elif f == 3:
                pr = (a + up) >> 1
            else:
                pa, pb, pc = abs(up - c), abs(a - c), abs(a + up - 2 * c)
                pr = a if (pa <= pb and pa <= pc) else (up if pb <= pc else c)
            cur[x] = (line[x] + pr) & 0xFF
        for x in range(w):
            out += cur[x * bpp:x * bpp + 3]
        prev = cur
    assert (w, h) == (150, 150), (w, h)
    return bytes(out)


def main():
    ref, names = sys.argv[1], sys.argv[2:]
    descriptors = {}
    for line in open(ref + "/chips/dlib.jsonl"):
        rec = json.loads(line)
        descriptors[rec["path"].rsplit("/", 1)[1][:-4]] = rec["faces"][0]["descriptor"]
    out = []
    for name in names:
        rgb = read_png_rgb(f"{ref}/chips/{name}.png")
        assert len(rgb) == 67500
        open(f"{name}.rgb", "wb").write(rgb)
        out.append({"name": name, "descriptor": descriptors[name]})
    with open("descriptors.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
