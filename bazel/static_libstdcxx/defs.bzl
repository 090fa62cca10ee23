"""cc_binary with libstdc++ linked statically (see BUILD.bazel)."""

def cc_binary_with_static_libstdcxx(name, linkopts = [], additional_linker_inputs = [], **kwargs):
    native.cc_binary(
        name = name,
        linkopts = linkopts + select({
            "//bazel/static_libstdcxx:shared": [],
            "//conditions:default": ["-Lbazel/static_libstdcxx"],
        }),
        additional_linker_inputs = additional_linker_inputs + select({
            "//bazel/static_libstdcxx:shared": [],
            "//conditions:default": ["//bazel/static_libstdcxx:libstdc++.so"],
        }),
        **kwargs
    )
