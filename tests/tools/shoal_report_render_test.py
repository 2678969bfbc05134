"""Looks at tools/shoal-report's page as a person would (run by Bazel as a py_test): Debian's
Chromium renders it headless to a PNG, and the picture must show the plots: not blank, and
with matplotlib's line colours for the first two stats files in it."""

import os
import shutil
import struct
import subprocess
import tempfile
import unittest
import zlib

import report_fixtures

LINE_COLOURS = {(0x1F, 0x77, 0xB4): "first stats file (blue)",
                (0xFF, 0x7F, 0x0E): "second stats file (orange)"}


def read_png(path):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB or RGBA PNG."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        kind, cur = line[0], bytearray(line[1:])
        for x in range(stride):
            a = cur[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if kind == 1:
                cur[x] = (cur[x] + a) & 0xFF
            elif kind == 2:
                cur[x] = (cur[x] + b) & 0xFF
            elif kind == 3:
                cur[x] = (cur[x] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                cur[x] = (cur[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append([tuple(cur[i:i + 3]) for i in range(0, stride, channels)])
        previous = cur
    return width, height, rows


class RenderTest(unittest.TestCase):

    def test_chromium_shows_the_plots(self):
        chromium = shutil.which("chromium") or "/usr/bin/chromium"
        self.assertTrue(os.path.exists(chromium),
                        "chromium is not installed (third_party/install_system_packages.sh)")
        work = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        stats, artifacts = report_fixtures.write_campaign(work)
        page = os.path.join(work, "report.html")
        result = report_fixtures.run(["-o", page] + stats + ["--artifacts", artifacts])
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(page) as f:
            html = f.read()
        self.assertEqual(html.count("<svg"), 4)
        png = os.path.join(work, "report.png")
        env = dict(os.environ, HOME=work)
        shot = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--hide-scrollbars", "--user-data-dir=" + os.path.join(work, "profile"),
             "--window-size=1400,1400", "--screenshot=" + png, "file://" + page],
            capture_output=True, text=True, timeout=120, env=env)
        self.assertTrue(os.path.exists(png), shot.stderr[-3000:])
        width, height, rows = read_png(png)
        self.assertEqual((width, height), (1400, 1400))
        pixels = [p for row in rows for p in row]
        white = sum(1 for p in pixels if p == (255, 255, 255))
        # Not blank: text, axes and lines cover a real share of the page.
        self.assertLess(white, 0.97 * len(pixels))
        colours = set(pixels)
        self.assertGreater(len(colours), 50)
        # The plot lines were drawn: matplotlib's first two colours are on screen, in many
        # pixels (anti-aliasing leaves the exact colour in the middle of each line).
        for colour, what in LINE_COLOURS.items():
            count = sum(1 for p in pixels if p == colour)
            self.assertGreater(count, 200, "no line of the %s in the screenshot" % what)


if __name__ == "__main__":
    unittest.main()
