// Lexer and parser for the prompt-template subset (see template_ast.h for what is followed).
// Jinja2 refuses unknown filters and tests when it compiles; this parser also refuses, before any
// document is rendered, every tag, method, function and literal form outside the subset.
#include <cstdint>
#include <set>

#include "core/error.h"
#include "eval/template/template_ast.h"
#include "eval/data/utf8_text.h"
#include "eval/template/template_values.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::tmpl {

std::string line_of(const std::string& source, size_t pos) {
  size_t line = 1;
  for (size_t i = 0; i < pos && i < source.size(); ++i)
    if (source[i] == '\n') ++line;
  return "line " + std::to_string(line);
}

namespace {

enum class TokType { Name, Int, Float, String, Op, End };

struct Token {
  TokType type;
  std::string text;  // name / operator spelling / raw literal
  nlohmann::json value;
  size_t pos;
};

enum class SegType { Text, Var, Block, Comment };

struct Segment {
  SegType type;
  size_t pos;
  std::string text;  // Text
  std::vector<Token> toks;
  bool strip_before = false, strip_after = false;
};

const std::set<std::string> kFilters = {"trim", "lower", "upper", "length", "count", "join", "string", "int",
                                        "float", "first", "last", "replace", "list", "regex_replace"};
const std::set<std::string> kTests = {"defined", "undefined", "none", "true", "false"};
const std::set<std::string> kMethods = {"strip", "lstrip", "rstrip", "lower", "upper", "replace",
                                        "split", "startswith", "endswith", "index"};

class Lexer {
 public:
  Lexer(const std::string& src, const std::string& where) : s_(src), where_(where) {}

  std::vector<Segment> run() {
    std::vector<Segment> segs;
    size_t i = 0;
    while (i < s_.size()) {
      size_t at = find_tag_start(i);
      if (at > i) segs.push_back(text_segment(i, at));
      if (at >= s_.size()) break;
      i = at;
      char kind = s_[i + 1];
      Segment seg{kind == '{' ? SegType::Var : kind == '%' ? SegType::Block : SegType::Comment, i, {}, {}};
      i += 2;
      if (i < s_.size() && s_[i] == '-') { seg.strip_before = true; ++i; }
      else if (i < s_.size() && s_[i] == '+') ++i;  // "+": keep lstrip_blocks off (already off)
      if (seg.type == SegType::Comment) i = lex_comment(i, seg);
      else i = lex_tag(i, seg);
      segs.push_back(std::move(seg));
    }
    apply_whitespace_control(segs);
    return segs;
  }

 private:
  [[noreturn]] void fail(const std::string& problem, size_t pos) const {
    throw Error(where_ + ": " + problem + " (" + line_of(s_, pos) + ")");
  }

  // Byte length of the whitespace code point at i (Jinja2 skips `\s+`, Unicode-aware), else 0.
  size_t space_len(size_t i) const {
    if (i >= s_.size()) return 0;
    unsigned char c = static_cast<unsigned char>(s_[i]);
    if (c < 0x80) return py_isspace(c) ? 1 : 0;
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (i + n > s_.size()) return 0;
    std::string_view one = std::string_view(s_).substr(i, n);
    if (find_invalid_utf8(one) != std::string_view::npos) fail("template is not valid UTF-8", i);
    return py_isspace(py_ords(one)[0]) ? n : 0;
  }

  size_t find_tag_start(size_t from) const {
    for (size_t j = from; j + 1 < s_.size(); ++j)
      if (s_[j] == '{' && (s_[j + 1] == '{' || s_[j + 1] == '%' || s_[j + 1] == '#')) return j;
    return s_.size();
  }

  // Template text: "\r\n" and "\r" become "\n" (Jinja2's newline_sequence default).
  Segment text_segment(size_t b, size_t e) const {
    Segment seg{SegType::Text, b, {}, {}};
    for (size_t j = b; j < e; ++j) {
      if (s_[j] == '\r') {
        seg.text += '\n';
        if (j + 1 < e && s_[j + 1] == '\n') ++j;
      } else {
        seg.text += s_[j];
      }
    }
    return seg;
  }

  size_t lex_comment(size_t i, Segment& seg) {
    size_t end = s_.find("#}", i);
    if (end == std::string::npos) fail("comment '{#' is not closed", seg.pos);
    if (end > i && s_[end - 1] == '-') seg.strip_after = true;
    return end + 2;
  }

  size_t lex_tag(size_t i, Segment& seg) {
    const bool var = seg.type == SegType::Var;
    const char close = var ? '}' : '%';
    while (true) {
      while (size_t n = space_len(i)) i += n;
      if (i >= s_.size()) fail(var ? "'{{' is not closed" : "'{%' is not closed", seg.pos);
      auto at = [&](const char* t) { return s_.compare(i, std::char_traits<char>::length(t), t) == 0; };
      // The end marker is tried first, as Jinja2's lexer does ("{{ 5-}}" ends with "-}}").
      if (s_[i] == '-' && i + 2 < s_.size() && s_[i + 1] == close && s_[i + 2] == '}') {
        seg.strip_after = true;
        seg.toks.push_back({TokType::End, "", {}, i});
        return i + 3;
      }
      if (!var && at("+%}")) { seg.toks.push_back({TokType::End, "", {}, i}); return i + 3; }
      if (s_[i] == close && i + 1 < s_.size() && s_[i + 1] == '}') {
        seg.toks.push_back({TokType::End, "", {}, i});
        return i + 2;
      }
      unsigned char c = static_cast<unsigned char>(s_[i]);
      if (c == '\'' || c == '"') i = lex_string(i, seg);
      else if (c >= '0' && c <= '9') i = lex_number(i, seg);
      else if (c == '_' || std::isalpha(c) || c >= 0x80) {
        size_t b = i;
        while (i < s_.size() && (s_[i] == '_' || std::isalnum(static_cast<unsigned char>(s_[i])) ||
                                 (static_cast<unsigned char>(s_[i]) >= 0x80 && space_len(i) == 0)))
          ++i;
        seg.toks.push_back({TokType::Name, s_.substr(b, i - b), {}, b});
      } else {
        static const char* two[] = {"//", "**", "==", "!=", ">=", "<="};
        std::string op;
        for (const char* t : two)
          if (at(t)) op = t;
        if (op.empty() && std::string_view("+-*/%~[](){}<>=.:|,;").find(static_cast<char>(c)) != std::string_view::npos)
          op = std::string(1, static_cast<char>(c));
        if (op.empty()) fail(std::string("unexpected character '") + static_cast<char>(c) + "'", i);
        seg.toks.push_back({TokType::Op, op, {}, i});
        i += op.size();
      }
    }
  }

  // String literal: Jinja2 normalises newlines, then decodes Python's "unicode-escape".
  size_t lex_string(size_t i, Segment& seg) {
    const char q = s_[i];
    size_t b = i++;
    std::string raw;
    while (true) {
      if (i >= s_.size()) fail("string literal is not closed", b);
      if (s_[i] == '\\' && i + 1 < s_.size()) { raw += s_[i]; raw += s_[i + 1]; i += 2; continue; }
      if (s_[i] == q) { ++i; break; }
      raw += s_[i++];
    }
    std::string norm;
    for (size_t j = 0; j < raw.size(); ++j) {
      if (raw[j] == '\r') { norm += '\n'; if (j + 1 < raw.size() && raw[j + 1] == '\n') ++j; }
      else norm += raw[j];
    }
    seg.toks.push_back({TokType::String, s_.substr(b, i - b), unescape(norm, b), b});
    return i;
  }

  std::string unescape(const std::string& r, size_t pos) const {
    std::string out;
    for (size_t j = 0; j < r.size(); ++j) {
      if (r[j] != '\\' || j + 1 >= r.size()) { out += r[j]; continue; }
      char e = r[++j];
      auto hex = [&](size_t n) -> char32_t {
        uint32_t v = 0;
        for (size_t k = 1; k <= n; ++k) {
          if (j + k >= r.size() || !std::isxdigit(static_cast<unsigned char>(r[j + k])))
            fail("truncated \\x/\\u escape in string literal", pos);
          char h = r[j + k];
          v = v * 16 + static_cast<uint32_t>(std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (std::tolower(h) - 'a' + 10));
        }
        j += n;
        if (v > 0x10FFFF) fail("escape beyond U+10FFFF in string literal", pos);
        // Python keeps a lone surrogate in a str but can never encode the prompt to UTF-8.
        if (v >= 0xD800 && v <= 0xDFFF) fail("surrogate escape in string literal (no UTF-8 form)", pos);
        return static_cast<char32_t>(v);
      };
      switch (e) {
        case '\n': break;  // line continuation
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'v': out += '\v'; break;
        case 'x': out += py_chr(hex(2)); break;
        case 'u': out += py_chr(hex(4)); break;
        case 'U': out += py_chr(hex(8)); break;
        case 'N': fail("\\N{...} escapes are not supported in string literals", pos);
        default:
          if (e >= '0' && e <= '7') {
            uint32_t v = static_cast<uint32_t>(e - '0');
            for (int k = 0; k < 2 && j + 1 < r.size() && r[j + 1] >= '0' && r[j + 1] <= '7'; ++k)
              v = v * 8 + static_cast<uint32_t>(r[++j] - '0');
            out += py_chr(static_cast<char32_t>(v));
          } else {
            out += '\\';  // Python keeps an unknown escape as written
            out += e;
          }
      }
    }
    return out;
  }

  // Decimal integers and floats, with "_" between digits (Jinja2's integer/float rules).
  size_t lex_number(size_t i, Segment& seg) {
    size_t b = i;
    auto digits = [&]() {
      size_t st = i;
      while (i < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i])) ||
                               (s_[i] == '_' && i > st && i + 1 < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i + 1])))))
        ++i;
    };
    digits();
    bool is_float = false;
    // After a "." (x.0.1) a number is an item index, never a float: Jinja2's float rule has (?<!\.).
    const bool after_dot = !seg.toks.empty() && seg.toks.back().type == TokType::Op && seg.toks.back().text == ".";
    if (!after_dot && i + 1 < s_.size() && s_[i] == '.' && std::isdigit(static_cast<unsigned char>(s_[i + 1]))) {
      ++i;
      digits();
      is_float = true;
    }
    if (!after_dot && i < s_.size() && (s_[i] == 'e' || s_[i] == 'E')) {
      size_t save = i++;
      if (i < s_.size() && (s_[i] == '+' || s_[i] == '-')) ++i;
      if (i < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i]))) { digits(); is_float = true; }
      else i = save;
    }
    std::string text;
    for (size_t j = b; j < i; ++j)
      if (s_[j] != '_') text += s_[j];
    if (is_float) {
      seg.toks.push_back({TokType::Float, text, std::strtod(text.c_str(), nullptr), b});  // 1e999 -> inf, as Python
    } else {
      if (text.size() > 1 && text[0] == '0') fail("integer literal with a leading zero", b);
      if (text.size() > 19 || (text.size() == 19 && text > "9223372036854775807")) fail("integer literal beyond 64 bits", b);
      seg.toks.push_back({TokType::Int, text, static_cast<int64_t>(std::stoll(text)), b});
    }
    return i;
  }

  // "-" on a tag strips all whitespace (str.isspace) on that side of it, newlines included.
  static void apply_whitespace_control(std::vector<Segment>& segs) {
    for (size_t k = 0; k < segs.size(); ++k) {
      if (segs[k].type == SegType::Text) continue;
      if (segs[k].strip_before && k > 0 && segs[k - 1].type == SegType::Text)
        segs[k - 1].text = py_rstrip(segs[k - 1].text);
      if (segs[k].strip_after && k + 1 < segs.size() && segs[k + 1].type == SegType::Text)
        segs[k + 1].text = py_lstrip(segs[k + 1].text);
    }
  }

  const std::string& s_;
  const std::string& where_;
};

class Parser {
 public:
  Parser(const std::string& src, const std::string& where, std::vector<Segment> segs)
      : src_(src), where_(where), segs_(std::move(segs)) {}

  std::vector<Node> run() {
    std::string stop;
    std::vector<Node> nodes = parse_body({}, stop);
    return nodes;
  }

 private:
  [[noreturn]] void fail(const std::string& problem, size_t pos) const {
    throw Error(where_ + ": " + problem + " (" + line_of(src_, pos) + ")");
  }

  // Deeply nested input would exhaust the stack; no prompt nests anywhere near this.
  struct DepthGuard {
    Parser& p;
    DepthGuard(Parser& parser, size_t pos) : p(parser) {
      if (++p.depth_ > 100) p.fail("nesting deeper than 100 levels", pos);
    }
    ~DepthGuard() { --p.depth_; }
  };

  // --- statements -----------------------------------------------------------------------------

  // Parses nodes until a block tag named in `stops`; leaves tok_ just after that tag's name.
  std::vector<Node> parse_body(const std::set<std::string>& stops, std::string& stop_found) {
    std::vector<Node> out;
    while (seg_ < segs_.size()) {
      Segment& seg = segs_[seg_];
      if (seg.type == SegType::Comment) { ++seg_; continue; }
      if (seg.type == SegType::Text) {
        if (!seg.text.empty()) out.push_back(Node{NodeKind::Text, seg.pos, seg.text, {}, {}, {}, {}, {}});
        ++seg_;
        continue;
      }
      tok_ = 0;
      if (seg.type == SegType::Var) {
        Node n{NodeKind::Output, seg.pos, {}, {}, {}, {}, {}, {}};
        if (cur().type == TokType::End) fail("empty expression in '{{ }}'", cur().pos);
        n.expr = parse_expression();
        expect_end();
        ++seg_;
        out.push_back(std::move(n));
        continue;
      }
      const Token& t = cur();
      if (t.type != TokType::Name) fail("expected a tag name after '{%'", t.pos);
      std::string tag = t.text;
      if (stops.count(tag)) {
        ++tok_;
        stop_found = tag;
        return out;
      }
      if (tag == "if") out.push_back(parse_if());
      else if (tag == "for") out.push_back(parse_for());
      else if (tag == "elif" || tag == "else" || tag == "endif" || tag == "endfor")
        fail("'{% " + tag + " %}' without a matching opening tag", t.pos);
      else
        fail("'{% " + tag + " %}' is outside the supported template subset", t.pos);
    }
    if (!stops.empty()) {
      std::string want;
      for (const auto& s : stops) want += (want.empty() ? "" : " or ") + std::string("'{% ") + s + " %}'";
      fail("template ended while looking for " + want, src_.size());
    }
    return out;
  }

  Node parse_if() {
    DepthGuard guard(*this, cur().pos);
    Node n{NodeKind::If, cur().pos, {}, {}, {}, {}, {}, {}};
    ++tok_;
    ExprPtr cond = parse_expression();
    expect_end();
    ++seg_;
    while (true) {
      std::string stop;
      std::vector<Node> body = parse_body({"elif", "else", "endif"}, stop);
      n.branches.emplace_back(std::move(cond), std::move(body));
      if (stop == "elif") {
        cond = parse_expression();
        expect_end();
        ++seg_;
        continue;
      }
      if (stop == "else") {
        expect_end();
        ++seg_;
        n.else_body = parse_body({"endif"}, stop);
      }
      expect_end();
      ++seg_;
      return n;
    }
  }

  Node parse_for() {
    DepthGuard guard(*this, cur().pos);
    Node n{NodeKind::For, cur().pos, {}, {}, {}, {}, {}, {}};
    ++tok_;
    if (cur().type != TokType::Name) fail("expected a loop variable name after 'for'", cur().pos);
    n.var = cur().text;
    ++tok_;
    if (cur().type == TokType::Op && cur().text == ",")
      fail("'for' with several loop variables (tuple unpacking) is outside the supported template subset", cur().pos);
    if (!is_name("in")) fail("expected 'in' after the loop variable", cur().pos);
    ++tok_;
    n.expr = parse_or();  // Jinja2 parses the iterable without the inline-if
    if (is_name("if")) fail("loop filters ('for x in y if c') are outside the supported template subset", cur().pos);
    if (is_name("recursive")) fail("recursive loops are outside the supported template subset", cur().pos);
    expect_end();
    ++seg_;
    std::string stop;
    n.body = parse_body({"else", "endfor"}, stop);
    if (stop == "else") {
      expect_end();
      ++seg_;
      n.else_body = parse_body({"endfor"}, stop);
    }
    expect_end();
    ++seg_;
    return n;
  }

  // --- expressions (Jinja2's precedence) -----------------------------------------------------------

  const Token& cur() const { return segs_[seg_].toks[tok_]; }
  const Token& peek(size_t k = 1) const {
    const auto& toks = segs_[seg_].toks;
    return toks[std::min(tok_ + k, toks.size() - 1)];
  }
  bool is_op(const char* op) const { return cur().type == TokType::Op && cur().text == op; }
  bool is_name(const char* name) const { return cur().type == TokType::Name && cur().text == name; }
  void expect_op(const char* op) {
    if (!is_op(op)) fail(std::string("expected '") + op + "', found " + describe(cur()), cur().pos);
    ++tok_;
  }
  void expect_end() {
    if (cur().type != TokType::End) fail("unexpected " + describe(cur()) + " (expected the end of the tag)", cur().pos);
  }
  static std::string describe(const Token& t) {
    if (t.type == TokType::End) return "end of tag";
    return "'" + t.text + "'";
  }

  ExprPtr make(ExprKind k, size_t pos) {
    auto e = std::make_unique<Expr>();
    e->kind = k;
    e->pos = pos;
    return e;
  }

  ExprPtr parse_expression() {
    DepthGuard guard(*this, cur().pos);
    ExprPtr e = parse_or();
    while (is_name("if")) {
      auto c = make(ExprKind::CondExpr, cur().pos);
      ++tok_;
      ExprPtr test = parse_or();
      ExprPtr other;
      if (is_name("else")) {
        ++tok_;
        other = parse_expression();
      }
      c->children.push_back(std::move(test));
      c->children.push_back(std::move(e));
      c->children.push_back(std::move(other));
      e = std::move(c);
    }
    return e;
  }

  ExprPtr binary(const std::string& op, ExprPtr l, ExprPtr r, size_t pos) {
    auto b = make(ExprKind::Binary, pos);
    b->name = op;
    b->children.push_back(std::move(l));
    b->children.push_back(std::move(r));
    return b;
  }

  ExprPtr parse_or() {
    ExprPtr l = parse_and();
    while (is_name("or")) {
      size_t p = cur().pos;
      ++tok_;
      l = binary("or", std::move(l), parse_and(), p);
    }
    return l;
  }

  ExprPtr parse_and() {
    ExprPtr l = parse_not();
    while (is_name("and")) {
      size_t p = cur().pos;
      ++tok_;
      l = binary("and", std::move(l), parse_not(), p);
    }
    return l;
  }

  ExprPtr parse_not() {
    DepthGuard guard(*this, cur().pos);
    if (is_name("not")) {
      auto n = make(ExprKind::Unary, cur().pos);
      n->name = "not";
      ++tok_;
      n->children.push_back(parse_not());
      return n;
    }
    return parse_compare();
  }

  ExprPtr parse_compare() {
    size_t p = cur().pos;
    ExprPtr first = parse_math1();
    ExprPtr cmp;
    while (true) {
      std::string op;
      if (cur().type == TokType::Op && (cur().text == "==" || cur().text == "!=" || cur().text == "<" ||
                                        cur().text == "<=" || cur().text == ">" || cur().text == ">=")) {
        op = cur().text;
        ++tok_;
      } else if (is_name("in")) {
        op = "in";
        ++tok_;
      } else if (is_name("not") && peek().type == TokType::Name && peek().text == "in") {
        op = "not in";
        tok_ += 2;
      } else {
        break;
      }
      if (!cmp) {
        cmp = make(ExprKind::Compare, p);
        cmp->children.push_back(std::move(first));
      }
      cmp->ops.push_back(op);
      cmp->children.push_back(parse_math1());
    }
    return cmp ? std::move(cmp) : std::move(first);
  }

  ExprPtr parse_math1() {
    ExprPtr l = parse_concat();
    while (is_op("+") || is_op("-")) {
      std::string op = cur().text;
      size_t p = cur().pos;
      ++tok_;
      l = binary(op, std::move(l), parse_concat(), p);
    }
    return l;
  }

  ExprPtr parse_concat() {
    ExprPtr l = parse_math2();
    while (is_op("~")) {
      size_t p = cur().pos;
      ++tok_;
      l = binary("~", std::move(l), parse_math2(), p);
    }
    return l;
  }

  ExprPtr parse_math2() {
    ExprPtr l = parse_pow();
    while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
      std::string op = cur().text;
      size_t p = cur().pos;
      ++tok_;
      l = binary(op, std::move(l), parse_pow(), p);
    }
    return l;
  }

  ExprPtr parse_pow() {
    ExprPtr l = parse_unary(true);
    while (is_op("**")) {  // left-associative in Jinja2
      size_t p = cur().pos;
      ++tok_;
      l = binary("**", std::move(l), parse_unary(true), p);
    }
    return l;
  }

  ExprPtr parse_unary(bool with_filter) {
    DepthGuard guard(*this, cur().pos);
    ExprPtr node;
    if (is_op("-") || is_op("+")) {
      node = make(ExprKind::Unary, cur().pos);
      node->name = cur().text;
      ++tok_;
      node->children.push_back(parse_unary(false));
    } else {
      node = parse_primary();
    }
    node = parse_postfix(std::move(node));
    if (with_filter) node = parse_filter_expr(std::move(node));
    return node;
  }

  ExprPtr parse_primary() {
    const Token& t = cur();
    if (t.type == TokType::Name) {
      static const std::set<std::string> keywords = {"and", "or", "not", "in", "is", "if", "else"};
      if (keywords.count(t.text)) fail("unexpected '" + t.text + "'", t.pos);
      auto e = make(ExprKind::Literal, t.pos);
      if (t.text == "true" || t.text == "True") e->literal = true;
      else if (t.text == "false" || t.text == "False") e->literal = false;
      else if (t.text == "none" || t.text == "None") e->literal = nullptr;
      else { e->kind = ExprKind::Name; e->name = t.text; }
      ++tok_;
      return e;
    }
    if (t.type == TokType::String) {
      auto e = make(ExprKind::Literal, t.pos);
      std::string s;
      while (cur().type == TokType::String) {  // adjacent literals join, as in Python
        s += cur().value.get<std::string>();
        ++tok_;
      }
      e->literal = s;
      return e;
    }
    if (t.type == TokType::Int || t.type == TokType::Float) {
      auto e = make(ExprKind::Literal, t.pos);
      e->literal = t.value;
      ++tok_;
      return e;
    }
    if (is_op("(")) {
      ++tok_;
      if (is_op(")")) fail("tuples are outside the supported template subset", t.pos);
      ExprPtr e = parse_expression();
      if (is_op(",")) fail("tuples are outside the supported template subset", cur().pos);
      expect_op(")");
      return e;
    }
    if (is_op("[")) {
      auto e = make(ExprKind::List, t.pos);
      ++tok_;
      while (!is_op("]")) {
        if (!e->children.empty()) {
          expect_op(",");
          if (is_op("]")) break;
        }
        e->children.push_back(parse_expression());
      }
      ++tok_;
      return e;
    }
    if (is_op("{")) fail("dict literals are outside the supported template subset", t.pos);
    fail("unexpected " + describe(t), t.pos);
  }

  ExprPtr parse_postfix(ExprPtr node) {
    while (true) {
      if (is_op(".")) {
        size_t p = cur().pos;
        ++tok_;
        if (cur().type == TokType::Name) {
          auto a = make(ExprKind::Attr, p);
          a->name = cur().text;
          a->children.push_back(std::move(node));
          node = std::move(a);
          ++tok_;
        } else if (cur().type == TokType::Int) {  // x.0 is x[0] in Jinja2
          auto it = make(ExprKind::Item, p);
          auto lit = make(ExprKind::Literal, p);
          lit->literal = cur().value;
          it->children.push_back(std::move(node));
          it->children.push_back(std::move(lit));
          node = std::move(it);
          ++tok_;
        } else {
          fail("expected an attribute name after '.'", cur().pos);
        }
      } else if (is_op("[")) {
        node = parse_subscript(std::move(node));
      } else if (is_op("(")) {
        node = parse_call(std::move(node));
      } else {
        return node;
      }
    }
  }

  ExprPtr parse_subscript(ExprPtr obj) {
    size_t p = cur().pos;
    ++tok_;
    ExprPtr parts[3];
    int n_colons = 0;
    for (int k = 0; k < 3; ++k) {
      if (!is_op(":") && !is_op("]")) parts[k] = parse_expression();
      if (is_op(",")) fail("tuple subscripts are outside the supported template subset", cur().pos);
      if (k < 2 && is_op(":")) { ++tok_; ++n_colons; continue; }
      break;
    }
    expect_op("]");
    if (n_colons == 0) {
      if (!parts[0]) fail("empty subscript '[]'", p);
      auto it = make(ExprKind::Item, p);
      it->children.push_back(std::move(obj));
      it->children.push_back(std::move(parts[0]));
      return it;
    }
    auto sl = make(ExprKind::Slice, p);
    sl->children.push_back(std::move(obj));
    for (auto& part : parts) sl->children.push_back(std::move(part));
    return sl;
  }

  std::vector<ExprPtr> parse_args() {
    std::vector<ExprPtr> args;
    expect_op("(");
    while (!is_op(")")) {
      if (!args.empty()) {
        expect_op(",");
        if (is_op(")")) break;
      }
      if (is_op("*") || is_op("**")) fail("'*args' and '**kwargs' are outside the supported template subset", cur().pos);
      if (cur().type == TokType::Name && peek().type == TokType::Op && peek().text == "=")
        fail("keyword arguments are outside the supported template subset", cur().pos);
      args.push_back(parse_expression());
    }
    ++tok_;
    return args;
  }

  ExprPtr parse_call(ExprPtr callee) {
    size_t p = cur().pos;
    if (callee->kind == ExprKind::Attr) {
      if (!kMethods.count(callee->name)) fail("method ." + callee->name + "() is not supported", callee->pos);
      auto m = make(ExprKind::Method, p);
      m->name = callee->name;
      m->children.push_back(std::move(callee->children[0]));
      for (auto& a : parse_args()) m->children.push_back(std::move(a));
      return m;
    }
    if (callee->kind == ExprKind::Name) {
      if (callee->name != "range")
        fail("function " + callee->name + "() is not supported (Jinja2 has no such global" +
                 (callee->name == "len" ? "; use '|length')" : ")"),
             callee->pos);
      auto c = make(ExprKind::Call, p);
      c->name = "range";
      c->children = parse_args();
      if (c->children.empty() || c->children.size() > 3) fail("range() takes 1 to 3 arguments", p);
      return c;
    }
    fail("only methods of values and range() can be called", p);
  }

  ExprPtr parse_filter_expr(ExprPtr node) {
    while (true) {
      if (is_op("|")) {
        size_t p = cur().pos;
        ++tok_;
        if (cur().type != TokType::Name) fail("expected a filter name after '|'", cur().pos);
        std::string name = cur().text;
        if (!kFilters.count(name)) fail("filter '" + name + "' is not supported", cur().pos);
        ++tok_;
        if (is_op(".")) fail("dotted filter names are outside the supported template subset", cur().pos);
        auto f = make(ExprKind::Filter, p);
        f->name = name;
        f->children.push_back(std::move(node));
        if (is_op("(")) for (auto& a : parse_args()) f->children.push_back(std::move(a));
        check_filter_arity(*f);
        node = std::move(f);
      } else if (is_name("is")) {
        size_t p = cur().pos;
        ++tok_;
        auto t = make(ExprKind::Test, p);
        if (is_name("not")) { t->negated = true; ++tok_; }
        if (cur().type != TokType::Name) fail("expected a test name after 'is'", cur().pos);
        t->name = cur().text;
        if (!kTests.count(t->name)) fail("test '" + t->name + "' is not supported", cur().pos);
        ++tok_;
        if (is_op("(")) fail("test '" + t->name + "' takes no arguments", cur().pos);
        t->children.push_back(std::move(node));
        node = std::move(t);
      } else if (is_op("(")) {
        fail("only methods of values and range() can be called", cur().pos);
      } else {
        return node;
      }
    }
  }

  void check_filter_arity(const Expr& f) {
    size_t n = f.children.size() - 1;
    size_t lo = 0, hi = 0;
    const std::string& k = f.name;
    if (k == "trim") hi = 1;
    else if (k == "join") hi = 1;
    else if (k == "int" || k == "float") hi = 1;
    else if (k == "replace") { lo = 2; hi = 3; }
    else if (k == "regex_replace") { lo = 2; hi = 3; }
    if (n < lo || n > hi)
      fail("filter '" + k + "' takes " + (lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi)) +
               " arguments, got " + std::to_string(n),
           f.pos);
  }

  const std::string& src_;
  const std::string& where_;
  std::vector<Segment> segs_;
  size_t seg_ = 0, tok_ = 0, depth_ = 0;
};

}  // namespace

std::vector<Node> parse_template(const std::string& source, const std::string& where) {
  Lexer lexer(source, where);
  Parser parser(source, where, lexer.run());
  return parser.run();
}

}  // namespace lfmb::eval::tmpl
