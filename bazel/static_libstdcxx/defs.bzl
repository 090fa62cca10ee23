"""cc_binary with libstdc++ linked statically under -c opt (see BUILD.bazel)."""

def cc_binary_with_static_libstdcxx(name, linkopts = [], additional_linker_inputs = [], **kwargs):
    native.cc_binary(
        name = name,
        linkopts = linkopts + select({
            "//bazel/static_libstdcxx:opt": ["-Lbazel/static_libstdcxx"],
            "//conditions:default": [],
        }),
        additional_linker_inputs = additional_linker_inputs + select({
            "//bazel/static_libstdcxx:opt": ["//bazel/static_libstdcxx:libstdc++.so"],
            "//conditions:default": [],
        }),
        **kwargs
    )
