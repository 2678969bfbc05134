"""Tests of tools/shoal-report's page and its errors (run by Bazel as a py_test): the page
built from a generated two-machine campaign holds the summary, four inline SVG plots with a
line per stats file and one for all of them, the crash table with the reproduce command, and
nothing loaded from the network; bad input is one error line and exit code 1."""

import os
import re
import tempfile
import unittest

import report_fixtures


class ReportTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        self.stats, self.artifacts = report_fixtures.write_campaign(self.dir)
        self.out = os.path.join(self.dir, "report.html")

    def test_page_has_summary_plots_and_crash_table(self):
        result = report_fixtures.run(["-o", self.out] + self.stats +
                                     ["--artifacts", self.artifacts])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")
        with open(self.out) as f:
            page = f.read()
        # Summary: executions summed over machines (4000 + 6000), the longest time, the best
        # coverage of any machine, and the time since coverage last grew (the newer machine).
        self.assertIn("Total executions</div><div class=\"value\">10,000<", page)
        self.assertIn("Campaign time</div><div class=\"value\">4 min 0 s<", page)
        self.assertIn("cov 47, ft 91", page)
        self.assertIn("Coverage last grew</div><div class=\"value\">30 s ago<", page)
        self.assertIn("Unique crashes</div><div class=\"value\">2<", page)
        # Four plots, inline, each with both machines and the combined line in its legend.
        svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
        self.assertEqual(len(svgs), 4)
        for title, svg in zip(["Coverage", "Features", "Corpus size", "Executions per second"],
                              svgs):
            self.assertIn(title, svg)
            for label in ["machine-a.csv", "machine-b.csv", "all ("]:
                self.assertIn(label, svg)
        # The crash table: kind, top frames with short file names, first seen, sizes, and
        # the command that reproduces it (the minimised file when there is one).
        self.assertIn("ParseHeader(char const*, unsigned long) parser.cc:41<br>"
                      "Decode&lt;int&gt;() decode.h:9<br>LLVMFuzzerTestOneInput "
                      "parser_fuzzer.cc:12", page)
        self.assertIn("2023-11-14 22:15:00 UTC", page)
        self.assertIn("<td>4096 B</td><td>7 B</td>", page)
        self.assertIn("<code>/out/parser_fuzzer %s</code>"
                      % os.path.join(self.artifacts, "minimized-from-aaaa"), page)
        self.assertIn("<code>/out/parser_fuzzer %s</code>"
                      % os.path.join(self.artifacts, "timeout-bbbb"), page)
        self.assertIn("<td>timeout</td>", page)
        # Self-contained: no scripts, no external images, styles or links.
        self.assertNotIn("<script", page)
        self.assertIsNone(re.search(r"(src|href)=\"(https?:)?//", page))
        self.assertIsNone(re.search(r"url\((?!#)", page))  # only in-page clip paths

    def test_one_stats_file_has_no_combined_line(self):
        result = report_fixtures.run(["-o", self.out, self.stats[0]])
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(self.out) as f:
            page = f.read()
        self.assertNotIn("all (", page)
        self.assertIn("No unique crashes were indexed", page)

    def expect_error(self, args, message):
        result = report_fixtures.run(["-o", self.out] + args)
        self.assertEqual(result.returncode, 1, result.stderr)
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertRegex(lines[0], "^shoal-report: error: " + message)
        self.assertFalse(os.path.exists(self.out))

    def test_bad_input_is_one_error_line_and_exit_code_1(self):
        missing = os.path.join(self.dir, "missing.csv")
        self.expect_error([missing], "cannot read stats file '%s': No such file" % re.escape(missing))
        empty = os.path.join(self.dir, "empty.csv")
        open(empty, "w").close()
        self.expect_error([empty], "stats file '.*empty.csv' is empty")
        foreign = os.path.join(self.dir, "foreign.csv")
        with open(foreign, "w") as f:
            f.write("a,b\n1,2\n")
        self.expect_error([foreign], "'.*foreign.csv' is not a Shoal stats file")
        malformed = os.path.join(self.dir, "malformed.csv")
        with open(malformed, "w") as f:
            f.write(report_fixtures.STATS_HEADER + "\n1,2,3\n")
        self.expect_error([malformed], "stats file '.*malformed.csv', line 2: not a row of 15 "
                                       "numbers")
        header_only = os.path.join(self.dir, "header.csv")
        with open(header_only, "w") as f:
            f.write(report_fixtures.STATS_HEADER + "\n")
        self.expect_error([header_only], "stats file '.*header.csv' has a header but no rows")
        self.expect_error(self.stats + ["--artifacts", os.path.join(self.dir, "nope")],
                          "artifact directory '.*nope' does not exist")
        with open(os.path.join(self.artifacts, "crashes.csv"), "w") as f:
            f.write("something,else\n")
        self.expect_error(self.stats + ["--artifacts", self.artifacts],
                          "'.*crashes.csv' is not a Shoal crash index")
        self.expect_error([], "the following arguments are required")


if __name__ == "__main__":
    unittest.main()
