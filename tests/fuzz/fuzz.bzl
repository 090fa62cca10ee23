"""fuzz_target: one libFuzzer target that is also a corpus-replay test.

Under --config=fuzz (which sets --define=secretsync_fuzz=1) the target links
libFuzzer's main (-fsanitize=fuzzer) and tests/fuzz/run.sh fuzzes it. In every
other build it links //tests/fuzz:replay_main instead, so `bazel test //...`
(gcc, and gcc+ASan under --config=asan) replays the checked-in seed corpus and
every saved regression input through the same invariants.
"""

def fuzz_target(name, srcs, deps = []):
    inputs = native.glob(
        ["corpus/%s/**" % name, "regressions/%s/**" % name],
        exclude = ["**/README*"],
    )
    native.cc_test(
        name = name,
        size = "small",
        srcs = srcs,
        deps = deps + [":fuzz_check"] + select({
            "//tests/fuzz:fuzzing": [],
            "//conditions:default": ["//tests/fuzz:replay_main"],
        }),
        linkopts = select({
            "//tests/fuzz:fuzzing": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        data = inputs,
        # Each file is replayed once (libFuzzer, given only files, does the same).
        args = ["$(rootpath %s)" % f for f in inputs],
    )
