// ParseListSecretsReply against protobuf's JSON parser (http::ParseJsonReply,
// which the client used before): the same verdict and the same message on
// every input, but for the two deliberate differences named in the header.
#include "lib/infisical/list_reply_parser.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "lib/http/json_wire.h"
#include "proto/infisical_api.pb.h"

namespace secretsync {
namespace infisical {
namespace {

struct Verdict {
  bool ok;
  v1::ListSecretsReply reply;
};

Verdict Ours(std::string body) {
  Verdict v;
  v.ok = ParseListSecretsReply(&body, &v.reply).ok();
  return v;
}

Verdict Protobufs(const std::string& body) {
  Verdict v;
  v.ok = http::ParseJsonReply(body, "test", &v.reply).ok();
  return v;
}

void ExpectSameAsProtobuf(const std::string& body) {
  SCOPED_TRACE(body.size() < 300 ? body : body.substr(0, 300) + "...");
  const Verdict ours = Ours(body);
  const Verdict theirs = Protobufs(body);
  ASSERT_EQ(ours.ok, theirs.ok);
  if (ours.ok) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(ours.reply, theirs.reply))
        << "ours:\n" << ours.reply.DebugString() << "protobuf's:\n" << theirs.reply.DebugString();
  }
}

constexpr const char* kSameAsProtobuf[] = {
    // What Infisical sends (abridged from a real reply), with the fields the
    // client drops.
    R"({"secrets":[{"id":"0804","_id":"0804","workspace":"5f0c","environment":"prod",)"
    R"("version":3,"type":"shared","secretKey":"SECRET_KEY","secretValue":"v a\"l\\u\u00e9",)"
    R"("secretComment":"","secretReminderNote":null,"secretReminderRepeatDays":null,)"
    R"("skipMultilineEncoding":false,"createdAt":"2026-12-05T12:43:01.020Z",)"
    R"("updatedAt":"2026-12-05T12:43:01.020Z","actor":null,"isRotatedSecret":false,)"
    R"("rotationId":null,"secretPath":"/","secretValueHidden":false,"secretMetadata":[],)"
    R"("tags":[{"id":"t","slug":"s","color":"#fff","name":"n"}]}],"imports":[]})",
    R"({"secrets":[{"secretKey":"A"}],"imports":[{"secretPath":"/shared","environment":"prod",)"
    R"("folderId":"f1","secrets":[{"secretKey":"B","secretValue":"b","version":"7"}]},)"
    R"({"secret_path":"/x","folder_id":"f2","secrets":null}]})",
    // Shapes and nulls.
    "{}", "[]", "\"\"", "null", "", "   ", "{} x", "{\"secrets\":[]} {}",
    R"({"secrets":null})", R"({"secrets":[null]})", R"({"secrets":[null,{"secretKey":"A"},null]})",
    R"({"secrets":[1]})", R"({"secrets":["A"]})", R"({"secrets":1})",
    R"({"secrets":"A"})", R"({"imports":[1]})", R"({"imports":[{"secrets":[1]}]})",
    R"({"imports":[{"secrets":null}]})",
    // String fields.
    R"({"secrets":[{"secretKey":null}]})", R"({"secrets":[{"secretKey":5}]})",
    R"({"secrets":[{"secretKey":true}]})", R"({"secrets":[{"secretKey":{}}]})",
    R"({"secrets":[{"secretKey":[]}]})", R"({"secrets":[{"secretValue":""}]})",
    R"({"secrets":[{"secretKey":"A","secretKey":"B"}]})",
    R"({"secrets":[{"secretKey":"A","secret_key":"B"}]})", R"({"secrets":[{"SecretKey":"A"}]})",
    R"({"secrets":[{"secretKey":"\u00e9\ud83d\ude00\n\t\/"}]})",
    R"({"secrets":[{"secretKey":"\ud800"}]})", R"({"secrets":[{"secretKey":"a\u0000b"}]})",
    "{\"secrets\":[{\"secretKey\":\"\xff\"}]}", "{\"secrets\":[{\"secretKey\":\"\xc3\"}]}",
    R"({"secrets":[{"type":"shared","environment":"prod","secretPath":"/","updatedAt":"t",)"
    R"("secretComment":"c","secretValue":"v"}]})",
    R"({"secrets":[{"secret_value":"v","secret_comment":"c","updated_at":"t","secret_path":"/p"}]})",
    // version, an int64.
    R"({"secrets":[{"version":"5"}]})", R"({"secrets":[{"version":5.0}]})",
    R"({"secrets":[{"version":5.5}]})", R"({"secrets":[{"version":1e3}]})",
    R"({"secrets":[{"version":1E2}]})", R"({"secrets":[{"version":"1e3"}]})",
    R"({"secrets":[{"version":" 5"}]})", R"({"secrets":[{"version":"5 "}]})",
    R"({"secrets":[{"version":"-5"}]})", R"({"secrets":[{"version":"+5"}]})",
    R"({"secrets":[{"version":"0x10"}]})", R"({"secrets":[{"version":"5.0"}]})",
    R"({"secrets":[{"version":""}]})", R"({"secrets":[{"version":"-"}]})",
    R"({"secrets":[{"version":9223372036854775807}]})",
    R"({"secrets":[{"version":9223372036854775808}]})",
    R"({"secrets":[{"version":-9223372036854775808}]})",
    R"({"secrets":[{"version":"9223372036854775808"}]})",
    R"({"secrets":[{"version":18446744073709551615}]})", R"({"secrets":[{"version":true}]})",
    R"({"secrets":[{"version":null}]})", R"({"secrets":[{"version":-0}]})",
    R"({"secrets":[{"version":9007199254740993}]})", R"({"secrets":[{"version":1e400}]})",
    // Unknown fields of any shape are skipped, keys in them ignored.
    R"({"secrets":[{"x":{"a":[1,{"secretKey":"no"}]},"secretKey":"K"}],"other":{"secrets":[1]}})",
    R"({"a":1,"a":2,"b":[[[]]],"c":{"d":{"e":null}}})",
    // Duplicates of lists append.
    R"({"secrets":[{"secretKey":"A"}],"secrets":[{"secretKey":"B"}]})",
    R"({"imports":[{"secretPath":"/a"}],"imports":[{"secretPath":"/b"}]})",
    // Syntax errors.
    "{", "{\"secrets\":[}", "{\"secrets\":[{\"secretKey\":\"A\"}]", "{\"secrets\" [] }",
};

TEST(ListReplyParserTest, AgreesWithProtobufOnEveryCase) {
  for (const char* body : kSameAsProtobuf) ExpectSameAsProtobuf(body);
}

TEST(ListReplyParserTest, AgreesWithProtobufOnALargeReply) {
  std::string body = R"({"secrets":[)";
  for (int i = 0; i < 2000; ++i) {
    absl::StrAppend(&body, i == 0 ? "" : ",", R"({"id":"x","environment":"prod","version":)", i,
                    R"(,"type":"shared","secretKey":"K_)", i, R"(","secretValue":"v\"\\\u00e9 )",
                    i, R"(\n","secretComment":"c","secretReminderNote":null,"tags":[],)",
                    R"("updatedAt":"2026-12-05T12:43:01.020Z","secretPath":"/"})");
  }
  body += R"(],"imports":[]})";
  ExpectSameAsProtobuf(body);
  EXPECT_EQ(Ours(body).reply.secrets_size(), 2000);
}

// The deliberate differences: each refuses what protobuf's parser takes.
TEST(ListReplyParserTest, OnlyValidJsonIsAccepted) {
  for (const char* body : {"{\"secrets\":[],}", "{'secrets':[]}",
                           "{\"secrets\":[{\"secretKey\":\"A\",}]}",
                           "{\"secrets\":[{\"secretKey\":\"a\nb\"}]}", R"({"secrets":[[]]})"}) {
    SCOPED_TRACE(body);
    EXPECT_TRUE(Protobufs(body).ok);
    EXPECT_FALSE(Ours(body).ok);
  }
}

TEST(ListReplyParserTest, ListsMustBeArrays) {
  for (const char* body : {R"({"secrets":{}})", R"({"secrets":{"secretKey":"A"}})",
                           R"({"imports":{"secretPath":"/"}})"}) {
    SCOPED_TRACE(body);
    EXPECT_TRUE(Protobufs(body).ok);
    EXPECT_FALSE(Ours(body).ok);
  }
}

TEST(ListReplyParserTest, ANulByteIsRefused) {
  EXPECT_FALSE(Ours(std::string("{\"secrets\":[]}\0x", 16)).ok);
  EXPECT_FALSE(Ours(std::string("{\"secrets\":[\0]}", 15)).ok);
}

std::string Nested(int depth) {
  return absl::StrCat(R"({"x":)", std::string(depth, '['), std::string(depth, ']'),
                      R"(,"secrets":[{"secretKey":"K"}]})");
}

TEST(ListReplyParserTest, NestingInAnUnknownFieldIsSkippedUpTo64Levels) {
  const Verdict ours = Ours(Nested(63));  // the reply object is one level
  ASSERT_TRUE(ours.ok);
  ASSERT_EQ(ours.reply.secrets_size(), 1);
  EXPECT_EQ(ours.reply.secrets(0).secret_key(), "K");
  ExpectSameAsProtobuf(Nested(63));
}

TEST(ListReplyParserTest, DeeperNestingIsRefusedWithoutExhaustingTheStack) {
  // Protobuf's parser takes any depth; the reader here recurses per level.
  EXPECT_TRUE(Protobufs(Nested(64)).ok);
  EXPECT_FALSE(Ours(Nested(64)).ok);
  EXPECT_FALSE(Ours(Nested(1000000)).ok);
  EXPECT_FALSE(Ours(std::string(1000000, '[')).ok);
}

TEST(ListReplyParserTest, TheErrorQuotesNothingOfTheBody) {
  std::string body = R"({"secrets":[{"secretValue":"Zq9-CANARY-41","secretKey":5}]})";
  v1::ListSecretsReply reply;
  const absl::Status status = ParseListSecretsReply(&body, &reply);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message().find("Zq9"), absl::string_view::npos);
}

}  // namespace
}  // namespace infisical
}  // namespace secretsync
