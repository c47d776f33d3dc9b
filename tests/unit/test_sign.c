/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the signers: every published SigV4 test-suite vector that fits header
 * signing (glue-api.md §3.3), our Glue-shaped vectors (§3.4), the Alibaba V3 and ROA
 * vectors and DLF worked examples (dlf-api.md §6.4, §6.5), and input validation.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/encode.h"
#include "glue2dlf/sign.h"
#include "http/sign-internal.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define AKID "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define DATE "20150830T123600Z"
#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define HOST                                                                                       \
    {                                                                                              \
        "Host", "example.amazonaws.com"                                                            \
    }
#define XDATE                                                                                      \
    {                                                                                              \
        "X-Amz-Date", DATE                                                                         \
    }
#define UNRES "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/* ---- AWS SigV4 ---------------------------------------------------------------------- */

struct v4_case {
    const char *name;
    const char *method, *path;
    struct g2d_kv query[2];
    size_t nquery;
    struct g2d_kv headers[6];
    size_t nheaders;
    const char *body;
    const char *region, *service, *date; /* NULL: us-east-1, service, DATE */
    const char *signed_headers;
    const char *creq;      /* full canonical request, or NULL */
    const char *creq_part; /* a substring the canonical request must hold, or NULL */
    const char *creq_hash; /* or NULL when the reference gives only the signature */
    const char *sig;
};

#define G3_BODY                                                                                    \
    "{\"DatabaseName\":\"sales\",\"TableName\":\"orders\",\"Expression\":\"dt >= "                 \
    "'2024-01-01'\",\"Segment\":{\"SegmentNumber\":0,\"TotalSegments\":4},\"MaxResults\":1000,"    \
    "\"ExcludeColumnSchema\":true}"

static const struct v4_case v4_cases[] = {
    {
        .name = "get-vanilla",
        .method = "GET",
        .path = "/",
        .headers = {HOST, XDATE},
        .nheaders = 2,
        .signed_headers = "host;x-amz-date",
        .creq = "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                "host;x-amz-date\n" EMPTY_SHA,
        .creq_hash = "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
        .sig = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    },
    {
        .name = "post-vanilla",
        .method = "POST",
        .path = "/",
        .headers = {HOST, XDATE},
        .nheaders = 2,
        .signed_headers = "host;x-amz-date",
        .creq_hash = "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
        .sig = "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
    },
    {
        .name = "get-vanilla-query-order-key-case",
        .method = "GET",
        .path = "/",
        .query = {{"Param2", "value2"}, {"Param1", "value1"}},
        .nquery = 2,
        .headers = {HOST, XDATE},
        .nheaders = 2,
        .signed_headers = "host;x-amz-date",
        .creq_part = "\nParam1=value1&Param2=value2\n",
        .creq_hash = "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
        .sig = "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    },
    {
        .name = "post-x-www-form-urlencoded",
        .method = "POST",
        .path = "/",
        .headers = {{"Content-Type", "application/x-www-form-urlencoded"}, HOST, XDATE},
        .nheaders = 3,
        .body = "Param1=value1",
        .signed_headers = "content-type;host;x-amz-date",
        .creq = "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\n"
                "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                "content-type;host;x-amz-date\n"
                "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
        .creq_hash = "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
        .sig = "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
    },
    {
        .name = "post-x-www-form-urlencoded-parameters",
        .method = "POST",
        .path = "/",
        .headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf8"},
                    HOST,
                    XDATE},
        .nheaders = 3,
        .body = "Param1=value1",
        .signed_headers = "content-type;host;x-amz-date",
        .creq_hash = "2e1cf7ed91881a30569e46552437e4156c823447bf1781b921b5d486c568dd1c",
        .sig = "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe",
    },
    {
        .name = "get-vanilla-with-session-token",
        .method = "GET",
        .path = "/",
        .headers = {HOST,
                    XDATE,
                    {"X-Amz-Security-Token",
                     "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"}},
        .nheaders = 3,
        .signed_headers = "host;x-amz-date;x-amz-security-token",
        .creq = "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"
                "x-amz-security-token:"
                "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n\n"
                "host;x-amz-date;x-amz-security-token\n" EMPTY_SHA,
        .creq_hash = "067b36aa60031588cea4a4cde1f21215227a047690c72247f1d70b32fbbfad2b",
        .sig = "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8",
    },
    {
        .name = "get-header-value-trim",
        .method = "GET",
        .path = "/",
        .headers = {HOST, {"My-Header1", "value1"}, {"My-Header2", "\"a   b   c\""}, XDATE},
        .nheaders = 4,
        .signed_headers = "host;my-header1;my-header2;x-amz-date",
        .creq_part = "\nmy-header1:value1\nmy-header2:\"a b c\"\n",
        .creq_hash = "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
        .sig = "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
    },
    {
        .name = "get-header-key-duplicate",
        .method = "GET",
        .path = "/",
        .headers = {HOST,
                    {"My-Header1", "value2"},
                    {"My-Header1", "value2"},
                    {"My-Header1", "value1"},
                    XDATE},
        .nheaders = 5,
        .signed_headers = "host;my-header1;x-amz-date",
        .creq_part = "\nmy-header1:value2,value2,value1\n",
        .sig = "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
    },
    {
        .name = "get-header-value-multiline",
        .method = "GET",
        .path = "/",
        .headers = {HOST, {"My-Header1", "value1\n  value2\n     value3"}, XDATE},
        .nheaders = 3,
        .signed_headers = "host;my-header1;x-amz-date",
        .creq_part = "\nmy-header1:value1,value2,value3\n",
        .sig = "ba17b383a53190154eb5fa66a1b836cc297cc0a3d70a5d00705980573d8ff790",
    },
    {
        .name = "get-header-value-order",
        .method = "GET",
        .path = "/",
        .headers = {HOST,
                    {"My-Header1", "value4"},
                    {"My-Header1", "value1"},
                    {"My-Header1", "value3"},
                    {"My-Header1", "value2"},
                    XDATE},
        .nheaders = 6,
        .signed_headers = "host;my-header1;x-amz-date",
        .creq_part = "\nmy-header1:value4,value1,value3,value2\n",
        .sig = "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01",
    },
    {
        .name = "get-unreserved",
        .method = "GET",
        .path = "/" UNRES,
        .headers = {HOST, XDATE},
        .nheaders = 2,
        .signed_headers = "host;x-amz-date",
        .creq_part = "GET\n/" UNRES "\n\n",
        .sig = "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f",
    },
    {
        .name = "get-utf8",
        .method = "GET",
        .path = "/\xe1\x88\xb4",
        .headers = {HOST, XDATE},
        .nheaders = 2,
        .signed_headers = "host;x-amz-date",
        .creq_part = "GET\n/%E1%88%B4\n\n",
        .sig = "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
    },
    {
        .name = "get-vanilla-query-unreserved",
        .method = "GET",
        .path = "/",
        .query = {{UNRES, UNRES}},
        .nquery = 1,
        .headers = {HOST, XDATE},
        .nheaders = 2,
        .signed_headers = "host;x-amz-date",
        .creq_part = "\n" UNRES "=" UNRES "\n",
        .sig = "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197",
    },
    {
        .name = "get-vanilla-utf8-query",
        .method = "GET",
        .path = "/",
        .query = {{"\xe1\x88\xb4", "bar"}},
        .nquery = 1,
        .headers = {HOST, XDATE},
        .nheaders = 2,
        .signed_headers = "host;x-amz-date",
        .creq_part = "\n%E1%88%B4=bar\n",
        .sig = "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
    },
    {
        .name = "post-header-key-sort",
        .method = "POST",
        .path = "/",
        .headers = {HOST, {"My-Header1", "value1"}, XDATE},
        .nheaders = 3,
        .signed_headers = "host;my-header1;x-amz-date",
        .sig = "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c",
    },
    {
        .name = "post-header-value-case",
        .method = "POST",
        .path = "/",
        .headers = {HOST, {"My-Header1", "VALUE1"}, XDATE},
        .nheaders = 3,
        .signed_headers = "host;my-header1;x-amz-date",
        .creq_part = "\nmy-header1:VALUE1\n",
        .sig = "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d",
    },
    {
        .name = "post-vanilla-query",
        .method = "POST",
        .path = "/",
        .query = {{"Param1", "value1"}},
        .nquery = 1,
        .headers = {HOST, XDATE},
        .nheaders = 2,
        .signed_headers = "host;x-amz-date",
        .creq_part = "POST\n/\nParam1=value1\n",
        .sig = "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11",
    },
    {
        /* AWS's IAM documentation example (different service and signing key). */
        .name = "iam-list-users",
        .method = "GET",
        .path = "/",
        .query = {{"Version", "2010-05-08"}, {"Action", "ListUsers"}},
        .nquery = 2,
        .headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                    {"Host", "iam.amazonaws.com"},
                    XDATE},
        .nheaders = 3,
        .service = "iam",
        .signed_headers = "content-type;host;x-amz-date",
        .creq_part = "GET\n/\nAction=ListUsers&Version=2010-05-08\n",
        .creq_hash = "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59",
        .sig = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
    },
    {
        .name = "G1",
        .method = "POST",
        .path = "/",
        .headers = {{"Content-Type", "application/x-amz-json-1.1"},
                    {"Host", "glue.us-east-1.amazonaws.com"},
                    {"X-Amz-Date", DATE},
                    {"X-Amz-Target", "AWSGlue.GetDatabase"}},
        .nheaders = 4,
        .body = "{\"Name\":\"sales\"}",
        .service = "glue",
        .signed_headers = "content-type;host;x-amz-date;x-amz-target",
        .creq = "POST\n/\n\ncontent-type:application/x-amz-json-1.1\n"
                "host:glue.us-east-1.amazonaws.com\nx-amz-date:20150830T123600Z\n"
                "x-amz-target:AWSGlue.GetDatabase\n\n"
                "content-type;host;x-amz-date;x-amz-target\n"
                "c5cfd3c17aabcaa5def047b1e2ec9bba4dc4caa07553c4da1567d00b38418349",
        .creq_hash = "993e2b6f19eaac04205a477fb0d0f13470a56bf6296c655fc077f41fac240625",
        .sig = "ffc2617ec0c5bed2e19aad07ad49b0cc7855e33413c5749b9a98d4b8fb3667ad",
    },
    {
        /* G1 with the headers in another order and content-length signed (as the CRT). */
        .name = "G1b",
        .method = "POST",
        .path = "",
        .headers = {{"X-Amz-Target", "AWSGlue.GetDatabase"},
                    {"host", "glue.us-east-1.amazonaws.com"},
                    {"Content-Length", "16"},
                    {"x-amz-date", DATE},
                    {"content-type", "application/x-amz-json-1.1"}},
        .nheaders = 5,
        .body = "{\"Name\":\"sales\"}",
        .service = "glue",
        .signed_headers = "content-length;content-type;host;x-amz-date;x-amz-target",
        .creq_part = "\ncontent-length:16\ncontent-type:application/x-amz-json-1.1\n",
        .sig = "0a1d63ee7b01ede3cf935bb3f7a71e5e2ea2b04456676351de82f12467d9bd32",
    },
    {
        .name = "G2",
        .method = "POST",
        .path = "/",
        .headers = {{"Content-Type", "application/x-amz-json-1.1"},
                    {"Host", "glue.us-east-1.amazonaws.com"},
                    {"X-Amz-Date", DATE},
                    {"X-Amz-Target", "AWSGlue.GetDatabases"}},
        .nheaders = 4,
        .body = "{}",
        .service = "glue",
        .signed_headers = "content-type;host;x-amz-date;x-amz-target",
        .creq_part = "\n44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        .creq_hash = "0d012cf161222edc4b2a0f537fdcaeae6c3967cd1391cb9b3cdd3027297d66c9",
        .sig = "160d04dee1c0ead3fcca72144c667348db7cd3d6bfe7e10201026fd747949b4d",
    },
    {
        .name = "G3",
        .method = "POST",
        .path = "/",
        .headers = {{"Content-Type", "application/x-amz-json-1.1"},
                    {"Host", "glue.eu-west-1.amazonaws.com"},
                    {"X-Amz-Date", "20240115T080910Z"},
                    {"X-Amz-Security-Token", "session-token-example"},
                    {"X-Amz-Target", "AWSGlue.GetPartitions"}},
        .nheaders = 5,
        .body = G3_BODY,
        .region = "eu-west-1",
        .service = "glue",
        .date = "20240115T080910Z",
        .signed_headers = "content-type;host;x-amz-date;x-amz-security-token;x-amz-target",
        .creq = "POST\n/\n\ncontent-type:application/x-amz-json-1.1\n"
                "host:glue.eu-west-1.amazonaws.com\nx-amz-date:20240115T080910Z\n"
                "x-amz-security-token:session-token-example\n"
                "x-amz-target:AWSGlue.GetPartitions\n\n"
                "content-type;host;x-amz-date;x-amz-security-token;x-amz-target\n"
                "c27e6358e6facca0e1c164fc9a8072ea1f2c8455581ec45d07f99c4ccfb3029c",
        .creq_hash = "83fd9eda94dabce1dbfe572280ecaa89ee079f5c571e1511f0f8916a9e113933",
        .sig = "28828a13986d5654e6a0603646df5966dbb1723b6594b59319c20e80a0b169cf",
    },
};

static struct g2d_sign_req v4_req(const struct v4_case *c)
{
    struct g2d_sign_req req = {
        .method = c->method,
        .path = c->path,
        .query = c->query,
        .nquery = c->nquery,
        .headers = c->headers,
        .nheaders = c->nheaders,
        .body = c->body,
        .body_len = c->body ? strlen(c->body) : 0,
    };

    return req;
}

static void run_v4_case(const struct v4_case *c)
{
    const char *region = c->region ? c->region : "us-east-1";
    const char *service = c->service ? c->service : "service";
    const char *date = c->date ? c->date : DATE;
    struct g2d_sign_req req = v4_req(c);
    struct g2d_sign_debug dbg;
    struct g2d_buf auth, want;
    char sig[65], hash[65];
    const char *nl;
    int r;

    print_message("  sigv4 vector %s\n", c->name);
    g2d_buf_init(&auth, 4096);
    g2d_buf_init(&want, 4096);
    g2d_sign_debug_init(&dbg);
    memset(sig, 'x', sizeof(sig));
    r = g2d_sigv4_sign(&req, AKID, SECRET, region, service, date, &auth, sig, &dbg);
    assert_int_equal(r, 0);
    assert_string_equal(sig, c->sig);
    assert_int_equal(g2d_buf_printf(&want,
                                    "AWS4-HMAC-SHA256 Credential=" AKID
                                    "/%.8s/%s/%s/aws4_request, SignedHeaders=%s, Signature=%s",
                                    date, region, service, c->signed_headers, c->sig),
                     0);
    assert_string_equal(g2d_buf_cstr(&auth), g2d_buf_cstr(&want));

    if (c->creq)
        assert_string_equal(g2d_buf_cstr(&dbg.canonical_request), c->creq);
    if (c->creq_part)
        assert_non_null(strstr(g2d_buf_cstr(&dbg.canonical_request), c->creq_part));
    /* The canonical request never ends in a newline; its last line is the payload hash. */
    nl = strrchr(g2d_buf_cstr(&dbg.canonical_request), '\n');
    assert_non_null(nl);
    g2d_sha256_hex(c->body, req.body_len, hash);
    assert_string_equal(nl + 1, hash);

    /* The string to sign ends with the hash of the canonical request. */
    g2d_sha256_hex(dbg.canonical_request.data, dbg.canonical_request.len, hash);
    g2d_buf_reset(&want);
    assert_int_equal(g2d_buf_printf(&want, "AWS4-HMAC-SHA256\n%s\n%.8s/%s/%s/aws4_request\n%s",
                                    date, date, region, service, hash),
                     0);
    assert_string_equal(g2d_buf_cstr(&dbg.string_to_sign), g2d_buf_cstr(&want));
    if (c->creq_hash)
        assert_string_equal(hash, c->creq_hash);

    g2d_sign_debug_done(&dbg);
    g2d_buf_done(&auth);
    g2d_buf_done(&want);
}

static void test_sigv4_vectors(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(v4_cases); i++)
        run_v4_case(&v4_cases[i]);
}

static void test_sigv4_get_vanilla_authorization(void **state)
{
    struct g2d_sign_req req = v4_req(&v4_cases[0]);
    struct g2d_buf auth;

    (void)state;
    g2d_buf_init(&auth, 0);
    assert_int_equal(g2d_buf_puts(&auth, "stale"), 0);
    /* Neither the signature buffer nor the debug values are required. */
    assert_int_equal(
        g2d_sigv4_sign(&req, AKID, SECRET, "us-east-1", "service", DATE, &auth, NULL, NULL), 0);
    assert_string_equal(
        g2d_buf_cstr(&auth),
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
        "aws4_request, SignedHeaders=host;x-amz-date, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    g2d_buf_done(&auth);
}

static void test_sigv4_signing_key(void **state)
{
    uint8_t key[32];
    char hex[65];

    (void)state;
    assert_int_equal(sign__sigv4_key(SECRET, "20150830", "us-east-1", "service", key), 0);
    g2d_hex(key, sizeof(key), hex);
    assert_string_equal(hex, "938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75");
    assert_int_equal(sign__sigv4_key(SECRET, "20150830", "us-east-1", "iam", key), 0);
    g2d_hex(key, sizeof(key), hex);
    assert_string_equal(hex, "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
    assert_int_equal(sign__sigv4_key(SECRET, "20150830", "us-east-1", "glue", key), 0);
    g2d_hex(key, sizeof(key), hex);
    assert_string_equal(hex, "a292979ad86fb0a226f286758eae415a1d147f5e141609aa9cde7b9546fb650a");
}

/* Canonical URI (line 2) of a GET with the given raw path. */
static void check_v4_uri(const char *path, const char *want)
{
    const struct g2d_kv hdrs[] = {HOST, XDATE};
    struct g2d_sign_req req = {.method = "GET", .path = path, .headers = hdrs, .nheaders = 2};
    struct g2d_sign_debug dbg;
    struct g2d_buf auth, line;
    const char *cr, *end;

    g2d_buf_init(&auth, 0);
    g2d_buf_init(&line, 0);
    g2d_sign_debug_init(&dbg);
    assert_int_equal(
        g2d_sigv4_sign(&req, AKID, SECRET, "us-east-1", "service", DATE, &auth, NULL, &dbg), 0);
    cr = strchr(g2d_buf_cstr(&dbg.canonical_request), '\n') + 1;
    end = strchr(cr, '\n');
    assert_int_equal(g2d_buf_append(&line, cr, (size_t)(end - cr)), 0);
    assert_string_equal(g2d_buf_cstr(&line), want);
    g2d_sign_debug_done(&dbg);
    g2d_buf_done(&auth);
    g2d_buf_done(&line);
}

static void test_sigv4_canonical_uri(void **state)
{
    (void)state;
    /* Normalisation as in the suite's get-slash*, get-relative* and get-space cases. */
    check_v4_uri("", "/");
    check_v4_uri("/", "/");
    check_v4_uri("//", "/");
    check_v4_uri("//example//", "/example/");
    check_v4_uri("/./", "/");
    check_v4_uri("/./example", "/example");
    check_v4_uri("/example/..", "/");
    check_v4_uri("/example1/example2/../..", "/");
    check_v4_uri("/a/./b/../c", "/a/c");
    check_v4_uri("/../a", "/a");
    check_v4_uri("/example space/", "/example%20space/");
    check_v4_uri("/a%2Fb", "/a%252Fb");
}

/* Canonical query (line 3) of a GET with the given parameters. */
static void check_v4_query(const struct g2d_kv *q, size_t n, const char *want)
{
    const struct g2d_kv hdrs[] = {HOST, XDATE};
    struct g2d_sign_req req = {
        .method = "GET", .path = "/", .query = q, .nquery = n, .headers = hdrs, .nheaders = 2};
    struct g2d_sign_debug dbg;
    struct g2d_buf auth, line;
    const char *cr, *end;

    g2d_buf_init(&auth, 0);
    g2d_buf_init(&line, 0);
    g2d_sign_debug_init(&dbg);
    assert_int_equal(
        g2d_sigv4_sign(&req, AKID, SECRET, "us-east-1", "service", DATE, &auth, NULL, &dbg), 0);
    cr = strchr(strchr(g2d_buf_cstr(&dbg.canonical_request), '\n') + 1, '\n') + 1;
    end = strchr(cr, '\n');
    assert_int_equal(g2d_buf_append(&line, cr, (size_t)(end - cr)), 0);
    assert_string_equal(g2d_buf_cstr(&line), want);
    g2d_sign_debug_done(&dbg);
    g2d_buf_done(&auth);
    g2d_buf_done(&line);
}

static void test_sigv4_canonical_query(void **state)
{
    const struct g2d_kv q1[] = {{"b", "2"}, {"a", NULL}, {"B", ""}, {"a", "1"}};
    const struct g2d_kv q2[] = {{"x y", "a+b*c/d"}, {"~", "="}};
    const struct g2d_kv q3[] = {{"+", "/,?><`\";:\\|][{}"}, {"@#$%^", ""}};

    (void)state;
    /* Sorted by encoded name then value; a missing value gives `name=`. */
    check_v4_query(q1, NELEM(q1), "B=&a=&a=1&b=2");
    check_v4_query(q2, NELEM(q2), "x%20y=a%2Bb%2Ac%2Fd&~=%3D");
    /* post-vanilla-query-nonunreserved's parameters. */
    check_v4_query(q3, NELEM(q3),
                   "%2B=%2F%2C%3F%3E%3C%60%22%3B%3A%5C%7C%5D%5B%7B%7D&%40%23%24%25%5E=");
}

static void test_sigv4_header_values(void **state)
{
    const struct g2d_kv hdrs[] = {
        HOST,
        XDATE,
        {"X-Tabs", "\t a \t\t b\t"},
        {"X-Empty", ""},
        {"X-Blank", "   "},
        {"X-Crlf", " one \r\n\ttwo  three\r\n \r\n"},
    };
    struct g2d_sign_req req = {.method = "GET", .path = "/", .headers = hdrs, .nheaders = 6};
    struct g2d_sign_debug dbg;
    struct g2d_buf auth;

    (void)state;
    g2d_buf_init(&auth, 0);
    g2d_sign_debug_init(&dbg);
    assert_int_equal(
        g2d_sigv4_sign(&req, AKID, SECRET, "us-east-1", "service", DATE, &auth, NULL, &dbg), 0);
    assert_string_equal(g2d_buf_cstr(&dbg.canonical_request),
                        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"
                        "x-blank:\nx-crlf:one,two three\nx-empty:\nx-tabs:a b\n\n"
                        "host;x-amz-date;x-blank;x-crlf;x-empty;x-tabs\n" EMPTY_SHA);
    g2d_sign_debug_done(&dbg);
    g2d_buf_done(&auth);
}

static void test_sigv4_invalid(void **state)
{
    const struct g2d_kv good[] = {HOST, XDATE};
    const struct g2d_kv bad_name[] = {HOST, {"My Header", "v"}};
    const struct g2d_kv colon_name[] = {HOST, {"a:b", "v"}};
    const struct g2d_kv empty_name[] = {HOST, {"", "v"}};
    const struct g2d_kv null_value[] = {HOST, {"X-A", NULL}};
    const struct g2d_kv other_date[] = {HOST, {"X-Amz-Date", "20150830T123601Z"}};
    const struct g2d_kv null_qname[] = {{NULL, "v"}};
    struct g2d_sign_req ok = {.method = "GET", .path = "/", .headers = good, .nheaders = 2};
    struct g2d_sign_req req;
    struct g2d_buf auth;
    char sig[65] = "untouched";

    (void)state;
    g2d_buf_init(&auth, 0);
    assert_int_equal(g2d_buf_puts(&auth, "keep"), 0);
#define BAD(reqp, ak, sk, rg, sv, dt)                                                              \
    assert_int_equal(g2d_sigv4_sign(reqp, ak, sk, rg, sv, dt, &auth, sig, NULL), -EINVAL)
    BAD(NULL, AKID, SECRET, "us-east-1", "service", DATE);
    req = ok;
    req.method = NULL;
    BAD(&req, AKID, SECRET, "us-east-1", "service", DATE);
    req.method = "";
    BAD(&req, AKID, SECRET, "us-east-1", "service", DATE);
    req.method = "GE T";
    BAD(&req, AKID, SECRET, "us-east-1", "service", DATE);
    req = ok;
    req.path = NULL;
    BAD(&req, AKID, SECRET, "us-east-1", "service", DATE);
    req.path = "relative";
    BAD(&req, AKID, SECRET, "us-east-1", "service", DATE);
    req = ok;
    req.body_len = 3;
    BAD(&req, AKID, SECRET, "us-east-1", "service", DATE);
    req = ok;
    req.headers = bad_name;
    BAD(&req, AKID, SECRET, "us-east-1", "service", DATE);
    req.headers = colon_name;
    BAD(&req, AKID, SECRET, "us-east-1", "service", DATE);
    req.headers = empty_name;
    BAD(&req, AKID, SECRET, "us-east-1", "service", DATE);
    req.headers = null_value;
    BAD(&req, AKID, SECRET, "us-east-1", "service", DATE);
    req.headers = other_date;
    BAD(&req, AKID, SECRET, "us-east-1", "service", DATE);
    req.headers = NULL;
    BAD(&req, AKID, SECRET, "us-east-1", "service", DATE);
    req = ok;
    req.query = null_qname;
    req.nquery = 1;
    BAD(&req, AKID, SECRET, "us-east-1", "service", DATE);
    req.query = NULL;
    BAD(&req, AKID, SECRET, "us-east-1", "service", DATE);
    BAD(&ok, NULL, SECRET, "us-east-1", "service", DATE);
    BAD(&ok, "AK/ID", SECRET, "us-east-1", "service", DATE);
    BAD(&ok, "", SECRET, "us-east-1", "service", DATE);
    BAD(&ok, AKID, NULL, "us-east-1", "service", DATE);
    BAD(&ok, AKID, "", "us-east-1", "service", DATE);
    BAD(&ok, AKID, SECRET, NULL, "service", DATE);
    BAD(&ok, AKID, SECRET, "us/east", "service", DATE);
    BAD(&ok, AKID, SECRET, "us-east-1", "", DATE);
    BAD(&ok, AKID, SECRET, "us-east-1", "service", NULL);
    BAD(&ok, AKID, SECRET, "us-east-1", "service", "2015-08-30T12:36:00Z");
    BAD(&ok, AKID, SECRET, "us-east-1", "service", "20150830T123600");
    BAD(&ok, AKID, SECRET, "us-east-1", "service", "2015083xT123600Z");
#undef BAD
    assert_int_equal(
        g2d_sigv4_sign(&ok, AKID, SECRET, "us-east-1", "service", DATE, NULL, NULL, NULL), -EINVAL);
    /* Outputs are written only on success. */
    assert_string_equal(g2d_buf_cstr(&auth), "keep");
    assert_string_equal(sig, "untouched");
    g2d_buf_done(&auth);
}

static void test_sigv4_auth_ceiling(void **state)
{
    struct g2d_sign_req req = v4_req(&v4_cases[0]);
    struct g2d_buf auth;

    (void)state;
    g2d_buf_init(&auth, 32);
    assert_int_equal(
        g2d_sigv4_sign(&req, AKID, SECRET, "us-east-1", "service", DATE, &auth, NULL, NULL),
        -E2BIG);
    g2d_buf_done(&auth);
}

/* ---- Alibaba V3 ACS3-HMAC-SHA256 ---------------------------------------------------- */

#define V1_HASH "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23"

static void test_acs3_v1_v2(void **state)
{
    const struct g2d_kv q[] = {{"test", "ok"}, {"empty", ""}};
    const struct g2d_kv h[] = {{"x-acs-test", "http"}, {"x-acs-TEST", "https"}};
    const struct g2d_kv h_rev[] = {{"x-acs-TEST", "https"}, {"x-acs-test", " http "}};
    struct g2d_sign_req req = {
        .method = "GET", .path = "", .query = q, .nquery = 2, .headers = h, .nheaders = 2};
    struct g2d_sign_debug dbg;
    struct g2d_buf auth;
    char sig[65];

    (void)state;
    g2d_buf_init(&auth, 0);
    g2d_sign_debug_init(&dbg);
    assert_int_equal(sign__acs3_sign_hashed(&req, "acesskey", "secret", V1_HASH, &auth, sig, &dbg),
                     0);
    assert_string_equal(g2d_buf_cstr(&dbg.canonical_request),
                        "GET\n/\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n" V1_HASH);
    assert_string_equal(
        g2d_buf_cstr(&auth),
        "ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=x-acs-test,"
        "Signature=d16b30a7699ae9e43875b13195b2f81bcc3ed10c14a9b5eb780e51619aa50be1");
    assert_string_equal(sig, "d16b30a7699ae9e43875b13195b2f81bcc3ed10c14a9b5eb780e51619aa50be1");

    /* Repeated values are sorted, so their order (and surrounding blanks) do not matter. */
    req.headers = h_rev;
    assert_int_equal(sign__acs3_sign_hashed(&req, "acesskey", "secret", V1_HASH, &auth, sig, NULL),
                     0);
    assert_string_equal(sig, "d16b30a7699ae9e43875b13195b2f81bcc3ed10c14a9b5eb780e51619aa50be1");

    /* V2: the same with an empty method. */
    req.method = "";
    assert_int_equal(sign__acs3_sign_hashed(&req, "acesskey", "secret", V1_HASH, &auth, sig, &dbg),
                     0);
    assert_string_equal(
        g2d_buf_cstr(&auth),
        "ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=x-acs-test,"
        "Signature=4ab59fffe3c5738ff8a2729f90cc04fe18b02a4b15b2102cbaf92f9ff3df2ea3");
    assert_memory_equal(g2d_buf_cstr(&dbg.canonical_request), "\n/\nempty=&test=ok\n", 18);

    g2d_sign_debug_done(&dbg);
    g2d_buf_done(&auth);
}

static void check_acs3_doc(const char *date, const char *nonce, const char *want_sig)
{
    const struct g2d_kv q[] = {
        {"RegionId", "cn-shanghai"},
        {"ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"},
    };
    const struct g2d_kv h[] = {
        {"host", "ecs.cn-shanghai.aliyuncs.com"}, {"x-acs-action", "RunInstances"},
        {"x-acs-version", "2014-05-26"},          {"x-acs-date", date},
        {"x-acs-signature-nonce", nonce},         {"x-acs-content-sha256", EMPTY_SHA},
    };
    struct g2d_sign_req req = {
        .method = "POST", .path = "/", .query = q, .nquery = 2, .headers = h, .nheaders = 6};
    struct g2d_buf auth, want;
    char sig[65];

    g2d_buf_init(&auth, 0);
    g2d_buf_init(&want, 0);
    assert_int_equal(
        g2d_acs3_sign(&req, "YourAccessKeyId", "YourAccessKeySecret", &auth, sig, NULL), 0);
    assert_string_equal(sig, want_sig);
    assert_int_equal(g2d_buf_printf(&want,
                                    "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders="
                                    "host;x-acs-action;x-acs-content-sha256;x-acs-date;"
                                    "x-acs-signature-nonce;x-acs-version,Signature=%s",
                                    want_sig),
                     0);
    assert_string_equal(g2d_buf_cstr(&auth), g2d_buf_cstr(&want));
    g2d_buf_done(&auth);
    g2d_buf_done(&want);
}

static void test_acs3_v3_v4(void **state)
{
    (void)state;
    check_acs3_doc("2023-10-26T09:01:01Z", "d410180a5abf7fe235dd9b74aca91fc0",
                   "e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804");
    check_acs3_doc("2023-10-26T10:22:32Z", "3156853299f313e23d1673dc12e1703d",
                   "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0");
}

#define DLF_HOST                                                                                   \
    {                                                                                              \
        "host", "dlf.cn-hangzhou.aliyuncs.com"                                                     \
    }
#define DLF_NONCE "0123456789abcdef0123456789abcdef"
#define DLF_SIGNED_BASE "x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce"

static void test_acs3_dlf_get_database(void **state)
{
    const struct g2d_kv q[] = {{"Name", "db_test"}, {"CatalogId", "1234567890"}};
    const struct g2d_kv h[] = {
        DLF_HOST,
        {"x-acs-action", "GetDatabase"},
        {"x-acs-version", "2020-07-10"},
        {"x-acs-date", "2024-01-01T00:00:00Z"},
        {"x-acs-signature-nonce", DLF_NONCE},
        {"x-acs-content-sha256", EMPTY_SHA},
        {"x-acs-security-token", "testSecurityToken"},
    };
    struct g2d_sign_req req = {.method = "GET",
                               .path = "/api/metastore/catalogs/databases",
                               .query = q,
                               .nquery = 2,
                               .headers = h,
                               .nheaders = 6};
    struct g2d_sign_debug dbg;
    struct g2d_buf auth;

    (void)state;
    g2d_buf_init(&auth, 0);
    g2d_sign_debug_init(&dbg);
    assert_int_equal(
        g2d_acs3_sign(&req, "testAccessKeyId", "testAccessKeySecret", &auth, NULL, &dbg), 0);
    assert_string_equal(
        g2d_buf_cstr(&dbg.canonical_request),
        "GET\n/api/metastore/catalogs/databases\nCatalogId=1234567890&Name=db_test\n"
        "host:dlf.cn-hangzhou.aliyuncs.com\nx-acs-action:GetDatabase\n"
        "x-acs-content-sha256:" EMPTY_SHA "\nx-acs-date:2024-01-01T00:00:00Z\n"
        "x-acs-signature-nonce:" DLF_NONCE "\nx-acs-version:2020-07-10\n\n"
        "host;" DLF_SIGNED_BASE ";x-acs-version\n" EMPTY_SHA);
    assert_string_equal(g2d_buf_cstr(&dbg.string_to_sign),
                        "ACS3-HMAC-SHA256\n"
                        "98dbfa7dbdd1c7386be95e472ebb4232d07d9daff0b9f5773ca6519d626ddc53");
    assert_string_equal(g2d_buf_cstr(&auth),
                        "ACS3-HMAC-SHA256 Credential=testAccessKeyId,SignedHeaders=host;"
                        "x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;"
                        "x-acs-version,Signature="
                        "37c99ef2183af19aa3e035b93860762ef4604df5b19ca9a7a73ffa7d59583eb1");

    /* The STS variant signs the security token too. */
    req.nheaders = 7;
    assert_int_equal(
        g2d_acs3_sign(&req, "testAccessKeyId", "testAccessKeySecret", &auth, NULL, NULL), 0);
    assert_string_equal(g2d_buf_cstr(&auth),
                        "ACS3-HMAC-SHA256 Credential=testAccessKeyId,SignedHeaders=host;"
                        "x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;"
                        "x-acs-signature-nonce;x-acs-version,Signature="
                        "c6feff1ea45353fa8a74b352a6838709d016371f7ab112af4ad1afcab872666a");
    g2d_sign_debug_done(&dbg);
    g2d_buf_done(&auth);
}

#define BCP_PATH "/api/metastore/catalogs/databases/tables/partitions/batchcreate"
#define BCP_BODY                                                                                   \
    "{\"CatalogId\":\"1234567890\",\"DatabaseName\":\"db_test\",\"TableName\":\"t1\","             \
    "\"IfNotExists\":true,\"NeedResult\":false,\"PartitionInputs\":[{\"Values\":[\"20240101\"],"   \
    "\"Parameters\":{},\"Sd\":{\"Location\":\"oss://bucket/db_test.db/t1/ds=20240101\"}}]}"
#define BCP_SHA "8207616218016202d2b6c5c1a6099df7114144374fe6a0f7fbb9f03735d3298e"

static void test_acs3_dlf_batch_create_partitions(void **state)
{
    const struct g2d_kv h[] = {
        {"content-type", "application/json; charset=utf-8"},
        DLF_HOST,
        {"x-acs-action", "BatchCreatePartitions"},
        {"x-acs-version", "2020-07-10"},
        {"x-acs-date", "2024-01-01T00:00:00Z"},
        {"x-acs-signature-nonce", DLF_NONCE},
        {"x-acs-content-sha256", BCP_SHA},
    };
    struct g2d_sign_req req = {.method = "POST",
                               .path = BCP_PATH,
                               .headers = h,
                               .nheaders = NELEM(h),
                               .body = BCP_BODY,
                               .body_len = strlen(BCP_BODY)};
    struct g2d_sign_debug dbg;
    struct g2d_buf auth;
    char hash[65], sig[65];

    (void)state;
    g2d_sha256_hex(BCP_BODY, strlen(BCP_BODY), hash);
    assert_string_equal(hash, BCP_SHA);
    g2d_buf_init(&auth, 0);
    g2d_sign_debug_init(&dbg);
    assert_int_equal(
        g2d_acs3_sign(&req, "testAccessKeyId", "testAccessKeySecret", &auth, sig, &dbg), 0);
    assert_memory_equal(g2d_buf_cstr(&dbg.canonical_request), "POST\n" BCP_PATH "\n\n",
                        strlen("POST\n" BCP_PATH "\n\n"));
    assert_string_equal(g2d_buf_cstr(&auth),
                        "ACS3-HMAC-SHA256 Credential=testAccessKeyId,SignedHeaders=content-type;"
                        "host;" DLF_SIGNED_BASE ";x-acs-version,Signature="
                        "59c76b6c97a1722d0b1fdb09aabee8f91efb75c3830050016368cf8092206244");
    assert_string_equal(sig, "59c76b6c97a1722d0b1fdb09aabee8f91efb75c3830050016368cf8092206244");

    /* A body that does not match the signed x-acs-content-sha256 is refused. */
    req.body_len--;
    assert_int_equal(
        g2d_acs3_sign(&req, "testAccessKeyId", "testAccessKeySecret", &auth, sig, NULL), -EINVAL);
    g2d_sign_debug_done(&dbg);
    g2d_buf_done(&auth);
}

static void test_acs3_query_encoding(void **state)
{
    const struct g2d_kv q[] = {{"b", "x y*z"}, {"a/b", NULL}, {"\xe1\x88\xb4", "~"}};
    struct g2d_sign_req req = {.method = "GET", .path = "/a b/c", .query = q, .nquery = 3};
    struct g2d_sign_debug dbg;
    struct g2d_buf auth;

    (void)state;
    g2d_buf_init(&auth, 0);
    g2d_sign_debug_init(&dbg);
    assert_int_equal(g2d_acs3_sign(&req, "ak", "sk", &auth, NULL, &dbg), 0);
    /* Path keeps '/', the query is sorted by raw name and percent-encoded. */
    assert_string_equal(g2d_buf_cstr(&dbg.canonical_request),
                        "GET\n/a%20b/c\na%2Fb=&b=x%20y%2Az&%E1%88%B4=~\n\n\n" EMPTY_SHA);
    g2d_sign_debug_done(&dbg);
    g2d_buf_done(&auth);
}

static void test_acs3_invalid(void **state)
{
    const struct g2d_kv crlf[] = {{"x-acs-a", "one\r\nx-acs-b: two"}};
    const struct g2d_kv bad_name[] = {{"x acs", "v"}};
    struct g2d_sign_req ok = {.method = "GET", .path = "/"};
    struct g2d_sign_req req;
    struct g2d_buf auth;

    (void)state;
    g2d_buf_init(&auth, 0);
    assert_int_equal(g2d_buf_puts(&auth, "keep"), 0);
    assert_int_equal(g2d_acs3_sign(NULL, "ak", "sk", &auth, NULL, NULL), -EINVAL);
    req = ok;
    req.method = NULL;
    assert_int_equal(g2d_acs3_sign(&req, "ak", "sk", &auth, NULL, NULL), -EINVAL);
    req.method = "G T";
    assert_int_equal(g2d_acs3_sign(&req, "ak", "sk", &auth, NULL, NULL), -EINVAL);
    req = ok;
    req.path = NULL;
    assert_int_equal(g2d_acs3_sign(&req, "ak", "sk", &auth, NULL, NULL), -EINVAL);
    req = ok;
    req.headers = crlf;
    req.nheaders = 1;
    assert_int_equal(g2d_acs3_sign(&req, "ak", "sk", &auth, NULL, NULL), -EINVAL);
    req.headers = bad_name;
    assert_int_equal(g2d_acs3_sign(&req, "ak", "sk", &auth, NULL, NULL), -EINVAL);
    req = ok;
    req.body_len = 1;
    assert_int_equal(g2d_acs3_sign(&req, "ak", "sk", &auth, NULL, NULL), -EINVAL);
    assert_int_equal(g2d_acs3_sign(&ok, "a,k", "sk", &auth, NULL, NULL), -EINVAL);
    assert_int_equal(g2d_acs3_sign(&ok, "", "sk", &auth, NULL, NULL), -EINVAL);
    assert_int_equal(g2d_acs3_sign(&ok, NULL, "sk", &auth, NULL, NULL), -EINVAL);
    assert_int_equal(g2d_acs3_sign(&ok, "ak", "", &auth, NULL, NULL), -EINVAL);
    assert_int_equal(g2d_acs3_sign(&ok, "ak", NULL, &auth, NULL, NULL), -EINVAL);
    assert_int_equal(g2d_acs3_sign(&ok, "ak", "sk", NULL, NULL, NULL), -EINVAL);
    assert_int_equal(sign__acs3_sign_hashed(&ok, "ak", "sk", "abc", &auth, NULL, NULL), -EINVAL);
    assert_string_equal(g2d_buf_cstr(&auth), "keep");
    g2d_buf_done(&auth);
}

/* ---- Alibaba ROA HMAC-SHA1 ---------------------------------------------------------- */

static void test_roa_r1(void **state)
{
    char out[29];

    (void)state;
    assert_int_equal(g2d_roa_signature("GET\n\n\n\n\n", "secret", out, sizeof(out)), 0);
    assert_string_equal(out, "XGXDWA78AEvx/wmfxKoVCq/afWw=");
    assert_int_equal(g2d_roa_signature("GET\n\n\n\n\n", "secret", out, 28), -EINVAL);
    assert_int_equal(g2d_roa_signature(NULL, "secret", out, sizeof(out)), -EINVAL);
    assert_int_equal(g2d_roa_signature("x", NULL, out, sizeof(out)), -EINVAL);
    assert_int_equal(g2d_roa_signature("x", "", out, sizeof(out)), -EINVAL);
    assert_int_equal(g2d_roa_signature("x", "secret", NULL, 29), -EINVAL);
}

static void test_roa_r2(void **state)
{
    const struct g2d_kv q[] = {{"test", "tests"}, {"test1", ""}, {"ccp", "ok"}};
    const struct g2d_kv h[] = {
        {"x-acs-meta", "user"},
        {"accept", "application/json"},
        {"content-md5", "md5"},
        {"content-type", "application/json"},
        {"date", "date"},
        {"host", "ignored.example"},
        {"User-Agent", "ignored/1.0"},
    };
    struct g2d_sign_req req = {.method = "GET",
                               .path = "Pathname",
                               .query = q,
                               .nquery = 3,
                               .headers = h,
                               .nheaders = NELEM(h)};
    struct g2d_sign_debug dbg;
    struct g2d_buf auth;
    char sig[29], want[29];

    (void)state;
    g2d_buf_init(&auth, 0);
    g2d_sign_debug_init(&dbg);
    assert_int_equal(g2d_buf_puts(&dbg.canonical_request, "stale"), 0);
    assert_int_equal(g2d_roa_sign(&req, "ak", "secret", &auth, sig, &dbg), 0);
    assert_string_equal(g2d_buf_cstr(&dbg.string_to_sign),
                        "GET\napplication/json\nmd5\napplication/json\ndate\nx-acs-meta:user\n"
                        "Pathname?ccp=ok&test=tests&test1");
    assert_string_equal(g2d_buf_cstr(&dbg.canonical_request), "");
    /* The signature is R1's function applied to that string. */
    assert_int_equal(
        g2d_roa_signature(g2d_buf_cstr(&dbg.string_to_sign), "secret", want, sizeof(want)), 0);
    assert_string_equal(sig, want);
    assert_memory_equal(g2d_buf_cstr(&auth), "acs ak:", 7);
    assert_string_equal(g2d_buf_cstr(&auth) + 7, want);
    g2d_sign_debug_done(&dbg);
    g2d_buf_done(&auth);
}

#define ROA_COMMON                                                                                 \
    {"Accept", "application/json"}, {"Date", "Mon, 01 Jan 2024 00:00:00 GMT"},                     \
        {"x-acs-signature-method", "HMAC-SHA1"}, {"x-acs-signature-nonce", DLF_NONCE},             \
        {"x-acs-signature-version", "1.0"}, {"x-acs-version", "2020-07-10"}, DLF_HOST

static void test_roa_dlf_get_database(void **state)
{
    const struct g2d_kv q[] = {{"Name", "db_test"}, {"CatalogId", "1234567890"}};
    const struct g2d_kv h[] = {{"x-acs-action", "GetDatabase"}, ROA_COMMON};
    struct g2d_sign_req req = {.method = "GET",
                               .path = "/api/metastore/catalogs/databases",
                               .query = q,
                               .nquery = 2,
                               .headers = h,
                               .nheaders = NELEM(h)};
    struct g2d_sign_debug dbg;
    struct g2d_buf auth;
    char sig[29];

    (void)state;
    g2d_buf_init(&auth, 0);
    g2d_sign_debug_init(&dbg);
    assert_int_equal(g2d_roa_sign(&req, "testAccessKeyId", "testAccessKeySecret", &auth, sig, &dbg),
                     0);
    assert_string_equal(g2d_buf_cstr(&dbg.string_to_sign),
                        "GET\napplication/json\n\n\nMon, 01 Jan 2024 00:00:00 GMT\n"
                        "x-acs-action:GetDatabase\nx-acs-signature-method:HMAC-SHA1\n"
                        "x-acs-signature-nonce:" DLF_NONCE "\nx-acs-signature-version:1.0\n"
                        "x-acs-version:2020-07-10\n"
                        "/api/metastore/catalogs/databases?CatalogId=1234567890&Name=db_test");
    assert_string_equal(g2d_buf_cstr(&auth), "acs testAccessKeyId:D1Gl2tEY+KpQ0ybm98iOBVnw8UI=");
    assert_string_equal(sig, "D1Gl2tEY+KpQ0ybm98iOBVnw8UI=");
    g2d_sign_debug_done(&dbg);
    g2d_buf_done(&auth);
}

static void test_roa_dlf_batch_create_partitions(void **state)
{
    const struct g2d_kv h[] = {
        {"x-acs-action", "BatchCreatePartitions"},
        {"Content-MD5", "ufexNsORzieAhl8ww3HVjQ=="},
        {"Content-Type", "application/json; charset=utf-8"},
        ROA_COMMON,
    };
    struct g2d_sign_req req = {.method = "POST",
                               .path = BCP_PATH,
                               .headers = h,
                               .nheaders = NELEM(h),
                               .body = BCP_BODY,
                               .body_len = strlen(BCP_BODY)};
    unsigned char md5[16];
    unsigned int md5_len = 0;
    struct g2d_buf auth, b64;

    (void)state;
    /* The Content-MD5 of the example is the base64 MD5 of its body. */
    assert_int_equal(EVP_Digest(BCP_BODY, strlen(BCP_BODY), md5, &md5_len, EVP_md5(), NULL), 1);
    g2d_buf_init(&b64, 0);
    assert_int_equal(g2d_base64(md5, md5_len, &b64), 0);
    assert_string_equal(g2d_buf_cstr(&b64), "ufexNsORzieAhl8ww3HVjQ==");
    g2d_buf_init(&auth, 0);
    assert_int_equal(
        g2d_roa_sign(&req, "testAccessKeyId", "testAccessKeySecret", &auth, NULL, NULL), 0);
    assert_string_equal(g2d_buf_cstr(&auth), "acs testAccessKeyId:mR99ONTHGsmZZ/TUJSg4ENXi2Hk=");
    g2d_buf_done(&auth);
    g2d_buf_done(&b64);
}

static void test_roa_header_rules(void **state)
{
    const struct g2d_kv h[] = {
        {"X-ACS-B", "two\tparts\r\nhere"},
        {"x-acs-a", " spaced "},
        {"x-other", "ignored"},
    };
    const struct g2d_kv dup_acs[] = {{"x-acs-a", "1"}, {"X-Acs-A", "2"}};
    const struct g2d_kv dup_date[] = {{"Date", "a"}, {"date", "b"}};
    const struct g2d_kv dup_other[] = {{"x-other", "a"}, {"x-other", "b"}};
    struct g2d_sign_req req = {.method = "PUT", .path = "", .headers = h, .nheaders = 3};
    struct g2d_sign_debug dbg;
    struct g2d_buf auth;

    (void)state;
    g2d_buf_init(&auth, 0);
    g2d_sign_debug_init(&dbg);
    assert_int_equal(g2d_roa_sign(&req, "ak", "sk", &auth, NULL, &dbg), 0);
    /* Names lower-cased and sorted, values kept but for control blanks made spaces; the
     * empty path is "/". */
    assert_string_equal(g2d_buf_cstr(&dbg.string_to_sign),
                        "PUT\n\n\n\n\nx-acs-a: spaced \nx-acs-b:two parts  here\n/");
    req.headers = dup_acs;
    req.nheaders = 2;
    assert_int_equal(g2d_roa_sign(&req, "ak", "sk", &auth, NULL, NULL), -EINVAL);
    req.headers = dup_date;
    assert_int_equal(g2d_roa_sign(&req, "ak", "sk", &auth, NULL, NULL), -EINVAL);
    /* Repeats of headers that are not signed do not matter. */
    req.headers = dup_other;
    assert_int_equal(g2d_roa_sign(&req, "ak", "sk", &auth, NULL, NULL), 0);
    req.headers = NULL;
    assert_int_equal(g2d_roa_sign(&req, "ak", "sk", &auth, NULL, NULL), -EINVAL);
    req.nheaders = 0;
    req.method = "";
    assert_int_equal(g2d_roa_sign(&req, "ak", "sk", &auth, NULL, NULL), -EINVAL);
    req.method = "GET";
    assert_int_equal(g2d_roa_sign(&req, "a:k", "sk", &auth, NULL, NULL), -EINVAL);
    assert_int_equal(g2d_roa_sign(&req, "ak", "", &auth, NULL, NULL), -EINVAL);
    req.path = NULL;
    assert_int_equal(g2d_roa_sign(&req, "ak", "sk", &auth, NULL, NULL), -EINVAL);
    g2d_sign_debug_done(&dbg);
    g2d_buf_done(&auth);
}

/* ---- misc --------------------------------------------------------------------------- */

static void test_consttime_streq(void **state)
{
    (void)state;
    assert_int_equal(g2d_consttime_streq("abc", "abc"), 1);
    assert_int_equal(g2d_consttime_streq("", ""), 1);
    assert_int_equal(g2d_consttime_streq("abc", "abd"), 0);
    assert_int_equal(g2d_consttime_streq("abc", "ab"), 0);
    assert_int_equal(g2d_consttime_streq("ab", "abc"), 0);
    assert_int_equal(g2d_consttime_streq("", "a"), 0);
    assert_int_equal(g2d_consttime_streq(NULL, "a"), 0);
    assert_int_equal(g2d_consttime_streq("a", NULL), 0);
    assert_int_equal(g2d_consttime_streq(NULL, NULL), 0);
}

static void test_debug_done_null(void **state)
{
    struct g2d_sign_debug dbg;

    (void)state;
    g2d_sign_debug_done(NULL);
    g2d_sign_debug_init(&dbg);
    g2d_sign_debug_done(&dbg);
    g2d_sign_debug_done(&dbg);
    assert_null(dbg.canonical_request.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigv4_vectors),
        cmocka_unit_test(test_sigv4_get_vanilla_authorization),
        cmocka_unit_test(test_sigv4_signing_key),
        cmocka_unit_test(test_sigv4_canonical_uri),
        cmocka_unit_test(test_sigv4_canonical_query),
        cmocka_unit_test(test_sigv4_header_values),
        cmocka_unit_test(test_sigv4_invalid),
        cmocka_unit_test(test_sigv4_auth_ceiling),
        cmocka_unit_test(test_acs3_v1_v2),
        cmocka_unit_test(test_acs3_v3_v4),
        cmocka_unit_test(test_acs3_dlf_get_database),
        cmocka_unit_test(test_acs3_dlf_batch_create_partitions),
        cmocka_unit_test(test_acs3_query_encoding),
        cmocka_unit_test(test_acs3_invalid),
        cmocka_unit_test(test_roa_r1),
        cmocka_unit_test(test_roa_r2),
        cmocka_unit_test(test_roa_dlf_get_database),
        cmocka_unit_test(test_roa_dlf_batch_create_partitions),
        cmocka_unit_test(test_roa_header_rules),
        cmocka_unit_test(test_consttime_streq),
        cmocka_unit_test(test_debug_done_null),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
