"""Protobuf and gRPC C++ code generation with Debian's /usr/bin/protoc.

Bazel 4.2.3's native proto rules want a protobuf source repository; offline we
run the system protoc in a genrule instead.
"""

def _base(src):
    return src[:-len(".proto")]

def secretsync_proto_library(name, srcs, deps = [], grpc = False, visibility = None):
    """Generates <name> (cc_library) from .proto files under //proto.

    Args:
      name: the cc_library name, e.g. "secret_cc_proto".
      srcs: .proto files in this package.
      deps: other secretsync_proto_library targets these protos import.
      grpc: also generate gRPC service stubs (with mock code).
      visibility: of the cc_library.
    """
    outs = []
    for src in srcs:
        outs += [_base(src) + ".pb.h", _base(src) + ".pb.cc"]
        if grpc:
            outs += [_base(src) + ".grpc.pb.h", _base(src) + ".grpc.pb.cc", _base(src) + "_mock.grpc.pb.h"]
    cmd = "/usr/bin/protoc -I. --cpp_out=$(GENDIR) "
    if grpc:
        cmd += "--plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin --grpc_out=generate_mock_code=true:$(GENDIR) "
    cmd += " ".join(["$(location %s)" % s for s in srcs])
    native.genrule(
        name = name + "_gen",
        srcs = srcs + [d + "_srcs" for d in deps],
        outs = outs,
        cmd = cmd,
    )
    native.filegroup(
        name = name + "_srcs",
        srcs = srcs + [d + "_srcs" for d in deps],
        visibility = visibility,
    )
    native.cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        deps = deps + ["@system//:protobuf"] + (["@system//:grpcpp"] if grpc else []),
        visibility = visibility,
    )
