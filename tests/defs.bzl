"""Builds fuzz harnesses for the integration tests exactly the way users do.

shoal_test_harness() links a harness against the drop-in archive the way a user
(or OSS-Fuzz's $LIB_FUZZING_ENGINE) would: `clang++ -fsanitize=fuzzer-no-link,...
harness.cc path/to/libshoal.a`, with clang++ taken from PATH, and nothing else on
the link line. With engine = "libfuzzer" it links real libFuzzer 14 instead
(`-fsanitize=fuzzer,...`), so the same tests can prove their expectations.
"""

_SHOAL_ARCHIVE = "//:libshoal"

_COMMON_FLAGS = "-O1 -g -gline-tables-only"

def shoal_test_harness(name, src, sanitizers = "address,undefined", extra_flags = [], engine = "shoal", **kwargs):
    """An executable file `name` (rule `name`_build) built from the single source `src`.

    Args:
      name: output executable (and target) name.
      src: the harness source file (defines LLVMFuzzerTestOneInput).
      sanitizers: comma-separated -fsanitize= list added to the fuzzer one; "" for none.
      extra_flags: extra clang++ arguments, placed after the sources (e.g. -lprotobuf, -D...).
      engine: "shoal" (link //:libshoal's libshoal.a) or "libfuzzer" (clang's own libFuzzer 14).
      **kwargs: passed to the genrule (tags, visibility, testonly, ...).
    """
    if engine not in ("shoal", "libfuzzer"):
        fail("engine must be \"shoal\" or \"libfuzzer\", got %r" % engine)
    san = ("," + sanitizers) if sanitizers else ""
    extra = " ".join(extra_flags)
    src_loc = "$(location %s)" % src

    if engine == "shoal":
        srcs = [src, _SHOAL_ARCHIVE]

        # //:libshoal yields libshoal.a (a linker script) and libshoal_runtime.o beside
        # it; both are inputs so the .o is present, but only the .a goes on the line.
        cmd = " ".join([
            "LIB=$$(for f in $(locations %s); do case $$f in *.a) echo $$f;; esac; done);" % _SHOAL_ARCHIVE,
            "if [ -z \"$$LIB\" ]; then echo '%s: no .a among $(locations %s)' >&2; exit 1; fi;" % (name, _SHOAL_ARCHIVE),
            "clang++",
            _COMMON_FLAGS,
            "-fsanitize=fuzzer-no-link" + san,
            src_loc,
            "$$LIB",
            extra,
            "-o $@",
        ])
    else:
        srcs = [src]
        cmd = " ".join([
            "clang++",
            _COMMON_FLAGS,
            "-fsanitize=fuzzer" + san,
            src_loc,
            extra,
            "-o $@",
        ])

    # The rule gets a suffix so that the output file alone owns the label `name`
    # (a rule and a file with one name make Bazel warn).
    native.genrule(
        name = name + "_build",
        srcs = srcs,
        outs = [name],
        cmd = cmd + " && chmod +x $@",
        executable = True,
        message = "Linking fuzz harness %s (%s)" % (name, engine),
        **kwargs
    )

def shoal_test_harness_pair(name, src, **kwargs):
    """Builds `name` against Shoal and `name`_libfuzzer against real libFuzzer 14."""
    shoal_test_harness(name = name, src = src, engine = "shoal", **kwargs)
    shoal_test_harness(name = name + "_libfuzzer", src = src, engine = "libfuzzer", **kwargs)

def shoal_integration_test(name, harnesses, engines = ["shoal", "libfuzzer"], data = [], timeout = "moderate"):
    """The GoogleTest suite tests/integration/<name>.cc, once per engine.

    Defines <name> (against the Shoal builds of `harnesses`) and, when "libfuzzer" is in
    `engines`, <name>_libfuzzer: the same assertions against real libFuzzer 14
    (SHOAL_TEST_ENGINE=libfuzzer), which proves the expectations themselves.
    """
    for engine in engines:
        suffix = "" if engine == "shoal" else "_libfuzzer"
        native.cc_test(
            name = name + suffix,
            size = "medium",
            timeout = timeout,
            srcs = ["integration/%s.cc" % name],
            data = [":" + harness + suffix for harness in harnesses] + data,
            env = {"SHOAL_TEST_ENGINE": "libfuzzer"} if suffix else {},
            linkstatic = True,
            deps = [
                ":integration_support",
                "@com_google_googletest//:gtest_main",
            ],
        )
