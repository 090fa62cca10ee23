// ThreadSanitizer suppressions for gRPC's internals, linked into the
// executable itself (a static, always-linked library): TSan looks the hook up
// through the dynamic linker, which finds libtsan's empty default before any
// shared library's definition, so a definition in a .so is never used.
#if defined(__SANITIZE_THREAD__)
// Debian's gRPC core is not instrumented, so TSan cannot see the
// synchronisation between a callback-API call's ops filled (and its Finish
// completion run) on one gRPC thread and the call finalized, or its reactor
// deleted in OnDone, on another: gRPC hands these over through its
// uninstrumented completion queue and executor. Likewise a reactor Finish()ed
// before gRPC bound it (a report ready before the handler returned) parks the
// status under an absl::Mutex (uninstrumented in Debian), and the reply is
// serialized after that lock on another thread. The header-inlined parts are
// instrumented and reported as races. These are gRPC's internals, not ours.
extern "C" const char* __tsan_default_suppressions() {
  return "race:grpc::internal::CallOpSet\n"
         "race:grpc::internal::CallbackWithSuccessTag\n"
         "race:grpc::internal::CallbackUnaryHandler\n"
         "race:grpc::ServerUnaryReactor::~ServerUnaryReactor\n"
         "race:grpc::ServerUnaryReactor::InternalBindCall\n"
         "race:grpc::internal::CallOpSendMessage\n";
}
#endif
