"""opt_binaries: the given binaries built with -c opt whatever the command line says.

The package must hold optimised binaries even from a plain
`bazel build //deploy/debian:secretsync_deb`; a 1:1 transition on the
attribute builds them in an opt configuration of their own (stripping is
done by the packaging script, as dh_strip would).

`--//deploy/debian:optimize=false` keeps the command line's compilation mode
instead: the CI package test (tests/run_all.sh) checks installation and
behaviour, not optimisation, and reuses the binaries the test stage built
rather than compiling every tool a fourth time.
"""

_OPTIMIZE = "//deploy/debian:optimize"
_MODE = "//command_line_option:compilation_mode"

def _bool_setting_impl(ctx):
    return []

bool_setting = rule(
    implementation = _bool_setting_impl,
    build_setting = config.bool(flag = True),
)

def _opt_transition_impl(settings, attr):
    return {_MODE: "opt" if settings[_OPTIMIZE] else settings[_MODE]}

_opt_transition = transition(
    implementation = _opt_transition_impl,
    inputs = [_OPTIMIZE, _MODE],
    outputs = [_MODE],
)

def _opt_binaries_impl(ctx):
    return [DefaultInfo(files = depset(ctx.files.srcs))]

opt_binaries = rule(
    implementation = _opt_binaries_impl,
    attrs = {
        "srcs": attr.label_list(cfg = _opt_transition, allow_files = True),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)
