// Dataset file readers (eval/data/table_reader.h): gzip, JSON Lines, CSV/TSV, UTF-8 checks.
// Expected values of Python semantics were computed with CPython 3.11 (csv.DictReader over
// io.StringIO(text, newline=""), json.loads, bytes.decode("utf-8")).
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "core/error.h"
#include "eval/data/table_reader.h"
#include "eval/data/utf8_text.h"
#include "tests/test_support.h"

namespace fs = std::filesystem;
using lfmb::test::error_of;
using nlohmann::json;
using namespace lfmb::eval;

namespace {

// gzip bytes of `data` (one member), made with zlib so the tests need no gzip program.
std::string gzip_bytes(const std::string& data) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// Writes `bytes` to a new file named `name` in a fresh temp dir and returns its path.
std::string temp_file(const std::string& name, const std::string& bytes) {
  const std::string path = lfmb::test::temp_dir() + "/" + name;
  lfmb::test::write_file(path, bytes);
  return path;
}

// Pseudo-random bytes that deflate cannot shrink much, so a cut lands inside the deflate data.
std::string noisy_text(size_t n) {
  std::string s(n, ' ');
  uint32_t x = 12345;
  for (auto& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>('a' + (x >> 16) % 26);
  }
  return s;
}

TableOptions headerless(std::vector<std::string> names, char delimiter = ',', bool quoting = true) {
  TableOptions o;
  o.header = false;
  o.column_names = std::move(names);
  o.delimiter = delimiter;
  o.quoting = quoting;
  return o;
}

}  // namespace

// ---- read_data_file and gzip ----------------------------------------------------------------

TEST_CASE("read_data_file returns plain files whole and gunzips .gz files", "[eval-data]") {
  const std::string text = std::string("line one\nline two\r\n\0binary\xff", 27) + noisy_text(300000);
  CHECK(read_data_file(temp_file("plain.txt", text)) == text);
  const std::string gz = gzip_bytes(text);
  CHECK(gz.size() < text.size());
  CHECK(read_data_file(temp_file("data.csv.gz", gz)) == text);
  // The suffix decides: the same gzip bytes under another name are returned as they are.
  CHECK(read_data_file(temp_file("data.csv", gz)) == gz);
  // An empty .gz gives empty contents, as gzip.decompress(b"") does.
  CHECK(read_data_file(temp_file("empty.gz", "")).empty());
}

TEST_CASE("read_data_file reads concatenated gzip members and skips zero padding", "[eval-data]") {
  const std::string a = "first member\n", b = "second member\n";
  const std::string path = temp_file("two.gz", gzip_bytes(a) + gzip_bytes(b) + std::string(7, '\0'));
  CHECK(read_data_file(path) == a + b);
  // Something other than padding after a member is not gzip data (gzip.py: "Not a gzipped file").
  const std::string junk = temp_file("junk.gz", gzip_bytes(a) + "xyz");
  CHECK_THAT(error_of([&] { read_data_file(junk); }), Catch::Contains(junk + ": corrupt gzip data"));
}

TEST_CASE("read_data_file names a missing file and rejects a directory", "[eval-data]") {
  const std::string dir = lfmb::test::temp_dir();
  CHECK(error_of([&] { read_data_file(dir + "/nope.jsonl"); }) == dir + "/nope.jsonl: no such file");
  CHECK(error_of([&] { read_data_file(dir); }) == dir + ": is a directory, not a data file");
  CHECK(error_of([&] { read_jsonl(dir + "/nope.jsonl"); }) == dir + "/nope.jsonl: no such file");
  CHECK(error_of([&] { read_table(dir + "/nope.csv", TableOptions{}); }) == dir + "/nope.csv: no such file");
}

TEST_CASE("read_data_file reports truncated gzip data", "[eval-data]") {
  const std::string gz = gzip_bytes(noisy_text(200000));
  // Cut in the deflate stream, in the 8-byte trailer, and right after the 10-byte header.
  for (size_t keep : {gz.size() / 2, gz.size() - 3, size_t{10}, size_t{5}}) {
    INFO("kept " << keep << " of " << gz.size() << " bytes");
    const std::string path = temp_file("cut.csv.gz", gz.substr(0, keep));
    CHECK(error_of([&] { read_data_file(path); }) == path + ": truncated gzip data");
  }
  // Through the table reader too: the same one line.
  const std::string path = temp_file("cut2.csv.gz", gzip_bytes("a,b\n1,2\n" + noisy_text(50000)).substr(0, 200));
  CHECK(error_of([&] { read_table(path, TableOptions{}); }) == path + ": truncated gzip data");
}

TEST_CASE("read_data_file reports corrupt gzip data", "[eval-data]") {
  std::string gz = gzip_bytes("some text that will be checked by its CRC-32\n");
  std::string bad_crc = gz;
  bad_crc[bad_crc.size() - 8] ^= 0x01;  // first byte of the CRC-32 trailer
  const std::string p1 = temp_file("crc.gz", bad_crc);
  CHECK(error_of([&] { read_data_file(p1); }) == p1 + ": corrupt gzip data (incorrect data check)");
  std::string bad_len = gz;
  bad_len[bad_len.size() - 4] ^= 0x01;  // the ISIZE trailer
  const std::string p2 = temp_file("len.gz", bad_len);
  CHECK(error_of([&] { read_data_file(p2); }) == p2 + ": corrupt gzip data (incorrect length check)");
  const std::string p3 = temp_file("notgz.jsonl.gz", "{\"plain\": \"json\"}\n");
  CHECK(error_of([&] { read_data_file(p3); }) == p3 + ": corrupt gzip data (incorrect header check)");
}

TEST_CASE("read_data_file bounds both the file and its decompressed size", "[eval-data]") {
  const std::string text(100000, 'x');  // compresses to a few hundred bytes
  const std::string plain = temp_file("big.txt", text);
  CHECK(read_data_file(plain, 100000).size() == 100000);
  CHECK(error_of([&] { read_data_file(plain, 99999); }) == plain + ": 100000 bytes, more than the limit of 99999 bytes");
  const std::string gz = temp_file("big.txt.gz", gzip_bytes(text));
  CHECK(read_data_file(gz, 100000).size() == 100000);
  CHECK(error_of([&] { read_data_file(gz, 99999); }) ==
        gz + ": decompressed data is larger than the limit of 99999 bytes");
  CHECK(error_of([&] { read_data_file(gz, 10); }) == gz + ": " + std::to_string(fs::file_size(gz)) +
                                                          " bytes, more than the limit of 10 bytes");
  TableOptions small;
  small.max_bytes = 1000;
  CHECK_THAT(error_of([&] { read_table(gz, small); }), Catch::Contains("decompressed data is larger than the limit"));
}

// ---- UTF-8 ---------------------------------------------------------------------------------

TEST_CASE("find_invalid_utf8 accepts what Python's utf-8 codec accepts", "[eval-data]") {
  for (const char* ok : {"plain", "\xC3\xA9", "\xE2\x82\xAC", "\xC2\x80", "\xEE\x80\x80", "\xEF\xBF\xBF",
                         "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF"}) {
    INFO(ok);
    CHECK(find_invalid_utf8(ok) == std::string_view::npos);
  }
  // Overlong forms, surrogates, above U+10FFFF, bad lead bytes, truncated sequences.
  for (const char* bad : {"\xC0\xAF", "\xC1\xBF", "\xE0\x80\x80", "\xED\xA0\x80", "\xF0\x8F\xBF\xBF",
                          "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\x80", "\xE2\x82", "\xFF"}) {
    INFO(bad);
    CHECK(find_invalid_utf8(bad) == 0);
  }
  CHECK(find_invalid_utf8("ab\xC3\xA9" "c\xE2\x82") == 5);
  CHECK(strip_utf8_bom("\xEF\xBB\xBFx,y") == "x,y");
  CHECK(strip_utf8_bom("x,\xEF\xBB\xBF") == "x,\xEF\xBB\xBF");
}

// ---- JSON Lines ----------------------------------------------------------------------------

TEST_CASE("read_jsonl reads one object per non-blank line", "[eval-data]") {
  const std::string path = temp_file("a.jsonl",
                                     "\xEF\xBB\xBF{\"id\": 1, \"q\": \"caf\xC3\xA9\"}\r\n"
                                     "\n"
                                     "  \t\r\n"
                                     "{\"id\": 2, \"list\": [1, 2.5, null, true], \"k\": 1, \"k\": 2}\n"
                                     "{\"id\": 3, \"big\": 1e400}");  // no final newline
  const auto rows = read_jsonl(path);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0] == json{{"id", 1}, {"q", "caf\xC3\xA9"}});  // the BOM is not part of the first line
  CHECK(rows[1]["list"] == json::parse("[1, 2.5, null, true]"));
  CHECK(rows[1]["k"] == 2);  // json.loads keeps the last duplicate key
  CHECK(std::isinf(rows[2]["big"].get<double>()));
  // gzipped JSONL reads the same.
  const std::string gz = temp_file("a.jsonl.gz", gzip_bytes(lfmb::test::read_file(path)));
  CHECK(read_jsonl(gz) == rows);
}

TEST_CASE("read_jsonl accepts NaN and Infinity as json.loads does", "[eval-data]") {
  const std::string path = temp_file("nan.jsonl",
                                     "{\"a\": NaN, \"b\": [Infinity, -Infinity], \"c\": \"NaN and Infinity\", "
                                     "\"d\": {\"e\": NaN}, \"f\": \"say \\\"NaN\\\"\"}\n"
                                     // The line holds \u0001, so another marker character is used.
                                     "{\"s\": \"\\u0001NaN\", \"v\": -Infinity}\n");
  const auto rows = read_jsonl(path);
  REQUIRE(rows.size() == 2);
  CHECK(std::isnan(rows[0]["a"].get<double>()));
  CHECK(rows[0]["b"][0].get<double>() == std::numeric_limits<double>::infinity());
  CHECK(rows[0]["b"][1].get<double>() == -std::numeric_limits<double>::infinity());
  CHECK(rows[0]["c"] == "NaN and Infinity");
  CHECK(std::isnan(rows[0]["d"]["e"].get<double>()));
  CHECK(rows[0]["f"] == "say \"NaN\"");
  CHECK(rows[1]["s"] == std::string("\x01NaN"));
  CHECK(rows[1]["v"].get<double>() == -std::numeric_limits<double>::infinity());
  // Float literals beyond the double range are infinities, as float() makes them.
  const std::string big = temp_file("big.jsonl", "{\"a\": -1.5e999, \"b\": 2E+400, \"c\": 1e-400}\n");
  const auto b = read_jsonl(big);
  CHECK(b[0]["a"].get<double>() == -std::numeric_limits<double>::infinity());
  CHECK(b[0]["b"].get<double>() == std::numeric_limits<double>::infinity());
  CHECK(b[0]["c"].get<double>() == 0.0);
}

TEST_CASE("read_jsonl rejects what json.loads rejects with file and line", "[eval-data]") {
  // Each is rejected by json.loads too (checked with CPython 3.11).
  for (const char* bad : {"{\"a\": 1,}", "{NaN: 1}", "{\"a\": nan}", "{\"a\": -NaN}", "{\"a\": NaNa}",
                          "{\"a\": +Infinity}", "{\"a\": 1} {\"b\": 2}", "{\"a\": \"tab\there\"}",
                          "{\"a\": 1e400-5}", "{\"a\": 01.5e400}", "{\"a\": 1.e400}"}) {
    INFO(bad);
    const std::string path = temp_file("bad.jsonl", std::string("{\"ok\": 1}\n\n") + bad + "\n{\"ok\": 2}\n");
    const std::string msg = error_of([&] { read_jsonl(path); });
    CHECK_THAT(msg, Catch::StartsWith(path + ":3: invalid JSON"));
    CHECK(msg.find('\n') == std::string::npos);
  }
  // nlohmann's position is kept (the first bad character of `{"a": 1,}` is column 9 as in Python).
  const std::string comma = temp_file("comma.jsonl", "{\"a\": 1,}\n");
  CHECK_THAT(error_of([&] { read_jsonl(comma); }), Catch::StartsWith(comma + ":1: invalid JSON at column 9: "));
  const std::string arr = temp_file("arr.jsonl", "{\"a\": 1}\n[1, 2]\n");
  CHECK(error_of([&] { read_jsonl(arr); }) == arr + ":2: expected a JSON object, found array");
  const std::string top_nan = temp_file("topnan.jsonl", "NaN\n");
  CHECK(error_of([&] { read_jsonl(top_nan); }) == top_nan + ":1: expected a JSON object, found number");
  const std::string str = temp_file("str.jsonl", "\"text\"\n");
  CHECK(error_of([&] { read_jsonl(str); }) == str + ":1: expected a JSON object, found string");
}

TEST_CASE("read_jsonl rejects invalid UTF-8 and an empty file", "[eval-data]") {
  const std::string bad = temp_file("bad-utf8.jsonl", "{\"a\": \"ok\"}\n{\"a\": \"x\xFFy\"}\n");
  CHECK(error_of([&] { read_jsonl(bad); }) == bad + ":2: invalid UTF-8 (byte 0xff at column 9)");
  const std::string empty = temp_file("empty.jsonl", "");
  CHECK(error_of([&] { read_jsonl(empty); }) == empty + ": empty file (no JSON lines)");
  const std::string blank = temp_file("blank.jsonl", "\n \r\n\n");
  CHECK(error_of([&] { read_jsonl(blank); }) == blank + ": empty file (no JSON lines)");
}

// ---- CSV / TSV -----------------------------------------------------------------------------

TEST_CASE("read_table reads CSV as csv.DictReader does", "[eval-data]") {
  // Doubled quotes, a quoted field holding \r\n and a comma, a blank line, text after a closing
  // quote ("ab"c -> abc), a quote inside an unquoted field, an empty last field, a final line
  // without a line end.
  const std::string path = temp_file("t.csv",
                                     "id,text,note\r\n"
                                     "1,\"say \"\"hi\"\"\r\nthen, go\",plain\r\n"
                                     "\r\n"
                                     "2,\"ab\"c,\r\n"
                                     "3,x\"y,\"last\"");
  const auto rows = read_table(path, TableOptions{});
  REQUIRE(rows.size() == 3);
  CHECK(rows[0] == json{{"id", "1"}, {"text", "say \"hi\"\r\nthen, go"}, {"note", "plain"}});
  CHECK(rows[1] == json{{"id", "2"}, {"text", "abc"}, {"note", ""}});
  CHECK(rows[2] == json{{"id", "3"}, {"text", "x\"y"}, {"note", "last"}});
  // Lone \r line ends, and gzip.
  const std::string cr = temp_file("cr.csv.gz", gzip_bytes("a,b\r1,2\r3,4"));
  CHECK(read_table(cr, TableOptions{}) == std::vector<json>{{{"a", "1"}, {"b", "2"}}, {{"a", "3"}, {"b", "4"}}});
}

TEST_CASE("read_table keeps a quoted empty field but skips a blank line", "[eval-data]") {
  // csv.reader gives [''] for a line "" and [] for an empty line (DictReader skips only the latter).
  const std::string path = temp_file("one.csv", "x\n\"\"\n\nb\n");
  CHECK(read_table(path, TableOptions{}) == std::vector<json>{{{"x", ""}}, {{"x", "b"}}});
  // Duplicate header names: the later column wins, as dict(zip(fieldnames, row)).
  const std::string dup = temp_file("dup.csv", "a,a\n1,2\n");
  CHECK(read_table(dup, TableOptions{}) == std::vector<json>{{{"a", "2"}}});
}

TEST_CASE("read_table reads the MMMLU layout whose first header name is empty", "[eval-data]") {
  const std::string path = temp_file("mmlu_DE_DE.csv",
                                     ",Question,A,B,C,D,Answer,Subject\n"
                                     "0,What?,a,b,c,d,B,math\n"
                                     "1,\"Q, two\",1,2,3,4,D,law\n");
  TableOptions opts;
  opts.column_names = {"", "Question", "A", "B", "C", "D", "Answer", "Subject"};  // the header must match
  const auto rows = read_table(path, opts);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == json{{"", "0"}, {"Question", "What?"}, {"A", "a"}, {"B", "b"}, {"C", "c"}, {"D", "d"},
                        {"Answer", "B"}, {"Subject", "math"}});
  CHECK(rows[1]["Question"] == "Q, two");
  CHECK(rows[1][""] == "1");
  opts.column_names = {"Question", "A", "B", "C", "D", "Answer", "Subject", "x"};
  CHECK(error_of([&] { read_table(path, opts); }) ==
        path + ":1: header is ,Question,A,B,C,D,Answer,Subject, expected Question,A,B,C,D,Answer,Subject,x");
}

TEST_CASE("read_table reads headerless MMLU CSV with given column names", "[eval-data]") {
  const std::string path = temp_file("abstract_algebra_test.csv",
                                     "Was ist 2+2?,A,B,C,D,A\n"
                                     "\"x \"\"y\"\"\",1,2,3,4,C\n");
  const auto rows = read_table(path, headerless({"question", "A", "B", "C", "D", "answer"}));
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == json{{"question", "Was ist 2+2?"}, {"A", "A"}, {"B", "B"}, {"C", "C"}, {"D", "D"}, {"answer", "A"}});
  CHECK(rows[1]["question"] == "x \"y\"");
  CHECK(rows[1]["answer"] == "C");
  TableOptions no_names;
  no_names.header = false;
  CHECK(error_of([&] { read_table(path, no_names); }) == path + ": a table without a header row needs column names");
}

TEST_CASE("read_table reads TSV with quoting off as csv.QUOTE_NONE does", "[eval-data]") {
  // MGSM-style: a lone quote inside a field and a quote at the start of a field are characters.
  const std::string text = "Er sagte \"Hallo.\t5\n\"Zitat\t7\n";
  const std::string path = temp_file("mgsm_xx.tsv", text);
  const auto rows = read_table(path, headerless({"question", "answer"}, '\t', false));
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == json{{"question", "Er sagte \"Hallo."}, {"answer", "5"}});
  CHECK(rows[1] == json{{"question", "\"Zitat"}, {"answer", "7"}});
  // With quoting on, the second line's quote opens a field that never closes (Python would return
  // ['Zitat\t7\n'] there; this reader calls it an error).
  CHECK(error_of([&] { read_table(path, headerless({"question", "answer"}, '\t', true)); }) ==
        path + ":2: quoted field opened on this line is not closed before the end of the file");
}

TEST_CASE("read_table reports a row with the wrong number of fields by its line", "[eval-data]") {
  // The second record spans lines 3-4, so the short row is on line 5.
  const std::string path = temp_file("short.csv",
                                     "question,A,B,C,D,answer\n"
                                     "q1,a,b,c,d,0\n"
                                     "\"multi\nline\",a,b,c,d,1\n"
                                     "q3,a,b,c,d\n");
  CHECK(error_of([&] { read_table(path, TableOptions{}); }) == path + ":5: 5 fields, expected 6");
  const std::string longer = temp_file("long.tsv", "a\tb\n1\t2\t3\n");
  CHECK(error_of([&] { read_table(longer, headerless({"q", "a"}, '\t', false)); }) ==
        longer + ":2: 3 fields, expected 2");
}

TEST_CASE("read_table reports an unterminated quote and an empty file", "[eval-data]") {
  const std::string open_quote = temp_file("open.csv", "a,b\n1,2\n3,\"never\nclosed\n");
  CHECK(error_of([&] { read_table(open_quote, TableOptions{}); }) ==
        open_quote + ":3: quoted field opened on this line is not closed before the end of the file");
  const std::string empty = temp_file("empty.csv", "");
  CHECK(error_of([&] { read_table(empty, TableOptions{}); }) == empty + ": empty file");
  const std::string blank = temp_file("blank.csv", "\r\n\n\r\n");
  CHECK(error_of([&] { read_table(blank, TableOptions{}); }) == blank + ": empty file");
  const std::string bom_only = temp_file("bom.csv", "\xEF\xBB\xBF");
  CHECK(error_of([&] { read_table(bom_only, headerless({"q"})); }) == bom_only + ": empty file");
  // A header and no rows is a valid, empty table.
  CHECK(read_table(temp_file("header.csv", "a,b\n"), TableOptions{}).empty());
}

TEST_CASE("read_table strips a UTF-8 BOM and rejects invalid UTF-8", "[eval-data]") {
  const std::string bom = temp_file("bom.csv", "\xEF\xBB\xBF" "a,b\n1,2\n");
  CHECK(read_table(bom, TableOptions{}) == std::vector<json>{{{"a", "1"}, {"b", "2"}}});
  const std::string bad = temp_file("bad.csv", "a,b\n1,2\n3,\xED\xA0\x80\n");  // a surrogate
  CHECK(error_of([&] { read_table(bad, TableOptions{}); }) == bad + ":3: invalid UTF-8 (byte 0xed at column 3)");
  const std::string overlong = temp_file("overlong.tsv", "x\xC0\xAF\t1\n");
  CHECK(error_of([&] { read_table(overlong, headerless({"q", "a"}, '\t', false)); }) ==
        overlong + ":1: invalid UTF-8 (byte 0xc0 at column 2)");
}

// ---- the real files in ../shared/datasets (counts only: never print GPQA text) ---------------

TEST_CASE("Real GPQA diamond CSV.gz has 198 rows of 78 columns", "[eval-data]") {
  LFMB_REQUIRE_DATASET_FILE(path, "gpqa_diamond/gpqa_diamond.csv.gz");
  const auto rows = read_table(path, TableOptions{});
  CHECK(rows.size() == 198);
  size_t wrong = 0;
  for (const auto& r : rows) wrong += r.size() != 78;
  CHECK(wrong == 0);
}

TEST_CASE("Real MMLU test and dev CSVs have 14042 and 285 rows", "[eval-data]") {
  LFMB_REQUIRE_DATASET_FILE(first, "mmlu/test/abstract_algebra_test.csv");
  TableOptions opts;
  opts.column_names = {"question", "choice0", "choice1", "choice2", "choice3", "answer"};
  size_t files = 0, test_rows = 0, dev_rows = 0;
  for (const auto& e : fs::directory_iterator(fs::path(first).parent_path())) {
    ++files;
    test_rows += read_table(e.path().string(), opts).size();
  }
  for (const auto& e : fs::directory_iterator(fs::path(first).parent_path().parent_path() / "dev"))
    dev_rows += read_table(e.path().string(), opts).size();
  CHECK(files == 57);
  CHECK(test_rows == 14042);
  CHECK(dev_rows == 285);
  CHECK(read_table(first, opts).size() == 100);
}

TEST_CASE("Real MGSM TSVs have 250 rows of question and answer", "[eval-data]") {
  LFMB_REQUIRE_DATASET_FILE(de, "mgsm/mgsm_de.tsv");
  const auto opts = headerless({"question", "answer"}, '\t', false);
  const auto rows = read_table(de, opts);
  CHECK(rows.size() == 250);
  CHECK(rows[0]["answer"] == "18");
  for (const char* lang : {"bn", "en", "es", "fr", "ja", "ru", "sw", "te", "th", "zh"}) {
    INFO(lang);
    CHECK(read_table(fs::path(de).parent_path().string() + "/mgsm_" + lang + ".tsv", opts).size() == 250);
  }
}

TEST_CASE("Real Multi-IF CSV has 909 rows of 14 columns", "[eval-data]") {
  LFMB_REQUIRE_DATASET_FILE(path, "multi_if/multiIF_20241018_english.csv");
  const auto rows = read_table(path, TableOptions{});
  CHECK(rows.size() == 909);
  CHECK(rows.front().size() == 14);
}

TEST_CASE("Real GSM8K test split has 1319 rows", "[eval-data]") {
  LFMB_REQUIRE_DATASET_FILE(path, "gsm8k/test.jsonl");
  const auto rows = read_jsonl(path);
  CHECK(rows.size() == 1319);
  CHECK(rows[0].contains("question"));
  CHECK(rows[0].contains("answer"));
}

TEST_CASE("Real JSONL datasets have their documented row counts", "[eval-data]") {
  const std::pair<const char*, size_t> files[] = {
      {"gsmplus/gsmplus_testmini.jsonl", 2400}, {"humaneval_plus/HumanEvalPlus.jsonl", 164},
      {"ifbench/IFBench_test.jsonl", 300},      {"ifeval/input_data.jsonl", 541},
      {"livecodebench_v5/livecodebench_v5.jsonl", 279}, {"math500/test.jsonl", 500},
      {"math_lvl5/test_level5.jsonl", 1324},    {"mmlu_pro/test-00000-of-00001.jsonl", 12032},
      {"mmlu_pro/validation-00000-of-00001.jsonl", 70}};
  for (const auto& [rel, count] : files) {
    LFMB_REQUIRE_DATASET_FILE(path, rel);
    INFO(rel);
    CHECK(read_jsonl(path).size() == count);
  }
}

TEST_CASE("Dataset tests skip with a warning but fail under CI when the files are missing", "[eval-data]") {
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  const std::string missing = "LFMB_SHARED_DIR=" + lfmb::test::temp_dir() + "/no-shared";
  const auto skipped = lfmb::test::run_process({"env", "-u", "CI", missing, self, "Real GSM8K test split has 1319 rows"});
  CHECK(skipped.exit_code == 0);
  CHECK_THAT(skipped.out, Catch::Contains("SKIPPED: dataset file gsm8k/test.jsonl not found"));
  const auto failed = lfmb::test::run_process({"env", "CI=true", missing, self, "Real GSM8K test split has 1319 rows"});
  CHECK(failed.exit_code != 0);
  CHECK_THAT(failed.out, Catch::Contains("CI=true: this is an error"));
}
