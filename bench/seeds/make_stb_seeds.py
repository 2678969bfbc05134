#!/usr/bin/env python3
# Regenerates bench/seeds/stb_image/: five tiny valid images (PNG, BMP, binary PGM, TGA, GIF)
# used as the stb_image throughput harness's seed corpus. Standard library only.
import os
import struct
import zlib

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stb_image")


def png_chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def main():
    os.makedirs(OUT, exist_ok=True)
    # 4x3 8-bit RGB PNG, filter type 0 on every row.
    w, h = 4, 3
    rows = b"".join(b"\x00" + b"".join(bytes([(x * 60) % 256, (y * 90) % 256, 128])
                                        for x in range(w)) for y in range(h))
    png = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
           + png_chunk(b"IDAT", zlib.compress(rows)) + png_chunk(b"IEND", b""))
    # 3x2 24-bit BMP, rows padded to 4 bytes.
    w, h = 3, 2
    row_size = (w * 3 + 3) & ~3
    pixels = b""
    for y in range(h):
        row = b"".join(bytes([255 * (x % 2), 100, 50 * y]) for x in range(w))
        pixels += row + b"\x00" * (row_size - len(row))
    bmp = (b"BM" + struct.pack("<IHHI", 14 + 40 + len(pixels), 0, 0, 54)
           + struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(pixels), 2835, 2835, 0, 0) + pixels)
    pgm = b"P5\n4 3\n255\n" + bytes(range(0, 240, 20))
    tga = (struct.pack("<BBBHHBHHHHBB", 0, 0, 2, 0, 0, 0, 0, 0, 2, 2, 24, 0)
           + bytes([0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255]))
    gif = bytes.fromhex("47494638396101000100800000000000ffffff21f904010000000"
                        "02c00000000010001000002024401003b")
    for name, data in [("tiny.png", png), ("tiny.bmp", bmp), ("gray.pgm", pgm),
                       ("tiny.tga", tga), ("tiny.gif", gif)]:
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
