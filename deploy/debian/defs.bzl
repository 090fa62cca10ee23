"""opt_binaries: the given binaries built with -c opt whatever the command line says.

The package must hold optimised binaries even from a plain
`bazel build //deploy/debian:secretsync_deb`; a 1:1 transition on the
attribute builds them in an opt configuration of their own (stripping is
done by the packaging script, as dh_strip would).
"""

def _opt_transition_impl(settings, attr):
    return {"//command_line_option:compilation_mode": "opt"}

_opt_transition = transition(
    implementation = _opt_transition_impl,
    inputs = [],
    outputs = ["//command_line_option:compilation_mode"],
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
