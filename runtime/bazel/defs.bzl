"""shoal_fuzz_test: a fuzz test for Bazel users, linked with Shoal.

From a harness's sources, a seed corpus and dictionaries it defines:
  <name>_bin   the instrumented fuzz target (SanitizerCoverage + sanitizers, Shoal's runtime);
  <name>       a test that `bazel test` runs as a regression test: every seed file once, in
               reproduce mode; it fails with the crash report if any seed crashes;
  <name>_run   `bazel run :<name>_run -- [libFuzzer flags]` fuzzes, with the seeds, the
               dictionaries and a writable corpus directory (see launcher.sh); `workers`
               sets its number of worker processes ("auto": one per CPU core).

The launcher also honours rules_fuzzing's FUZZER_* environment variables, so the same
binary can run under rules_fuzzing's engine launchers (see docs/user-guide.md).
"""

def shoal_fuzz_test(
        name,
        srcs,
        deps = [],
        corpus = [],
        dicts = [],
        sanitizers = ["address", "undefined"],
        copts = [],
        size = "small",
        tags = [],
        workers = None,
        **kwargs):
    """Defines <name>_bin, the regression test <name> and the fuzzing target <name>_run.

    Args:
      workers: worker processes of <name>_run: a count (0: in-process), or "auto" for one per
        CPU core the run may use (the launcher asks `nproc`). None keeps Shoal's default (1).
        A -workers=N flag given to `bazel run` wins.
    """
    if workers != None and workers != "auto" and (type(workers) != "int" or workers < 0):
        fail("shoal_fuzz_test(name = %r): workers must be a count >= 0 or \"auto\", got %r" % (name, workers))
    run_env = {"SHOAL_MODE": "fuzz", "SHOAL_DICTS": " ".join(["$(rootpath %s)" % d for d in dicts])}
    if workers != None:
        run_env["SHOAL_WORKERS"] = str(workers)
    sanitize = ",".join(sanitizers)
    native.cc_binary(
        name = name + "_bin",
        srcs = srcs,
        copts = copts + ["-fsanitize=fuzzer-no-link" + ("," + sanitize if sanitize else ""), "-g"],
        linkopts = ["-fsanitize=" + sanitize] if sanitize else [],
        linkstatic = True,
        deps = deps + [Label("//runtime")],
        testonly = True,
        **kwargs
    )
    launcher = Label("//runtime/bazel:launcher.sh")
    native.sh_test(
        name = name,
        srcs = [launcher],
        size = size,
        data = [":" + name + "_bin"] + corpus + dicts,
        env = {"SHOAL_MODE": "regression"},
        args = ["$(rootpath :%s_bin)" % name] + ["$(rootpath %s)" % f for f in corpus],
        tags = tags,
    )
    native.sh_binary(
        name = name + "_run",
        srcs = [launcher],
        data = [":" + name + "_bin"] + corpus + dicts,
        env = run_env,
        args = ["$(rootpath :%s_bin)" % name] + ["$(rootpath %s)" % f for f in corpus],
        testonly = True,
        tags = tags,
    )
