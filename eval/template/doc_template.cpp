// Renders the prompt-template subset over a JSON document, with Jinja2's and Python's semantics.
//
// Followed: EleutherAI/lm-evaluation-harness 4e7e0d47f33b, lm_eval/utils.py `apply_template`
// (`env.from_string(template).render(**doc)` with `Environment(loader=BaseLoader,
// undefined=StrictUndefined, keep_trailing_newline=True)` and the extra filter `regex_replace`
// = re.sub) and lm_eval/api/task.py (a template that names a document field yields that field);
// Jinja2 3.1 (runtime.py Undefined/StrictUndefined, environment.py getattr/getitem, filters.py).
#include "eval/template/doc_template.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/error.h"
#include "eval/template/template_ast.h"
#include "eval/template/template_values.h"
#include "eval/text/py_regex.h"
#include "eval/text/py_str.h"

namespace lfmb::eval {

using nlohmann::json;
using namespace tmpl;

namespace {

// An error that already names the template and line; inner layers pass it through unchanged.
struct LocatedError : Error {
  using Error::Error;
};

// A value, or Jinja2's Undefined. `soft` is Jinja2's default Undefined (only an inline-if without
// else makes one under lm-eval's StrictUndefined environment): it prints as "" and is false.
struct Value {
  json v;
  bool undefined = false;
  bool soft = false;
  std::string hint;  // why it is undefined (Jinja2's message)
  static Value undef(std::string why, bool soft = false) {
    Value u;
    u.undefined = true;
    u.soft = soft;
    u.hint = std::move(why);
    return u;
  }
};

Value of(json v) {
  Value x;
  x.v = std::move(v);
  return x;
}

// Python attribute names that Jinja2's getattr finds before a key or gives a method for.
bool is_builtin_method(const json& v, const std::string& name) {
  static const std::set<std::string> dict_m = {"clear", "copy", "fromkeys", "get", "items", "keys",
                                               "pop", "popitem", "setdefault", "update", "values"};
  static const std::set<std::string> list_m = {"append", "clear", "copy", "count", "extend", "index",
                                               "insert", "pop", "remove", "reverse", "sort"};
  static const std::set<std::string> str_m = {
      "capitalize", "casefold", "center", "count", "encode", "endswith", "expandtabs", "find", "format",
      "format_map", "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier",
      "islower", "isnumeric", "isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower",
      "lstrip", "maketrans", "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex",
      "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase",
      "title", "translate", "upper", "zfill"};
  if (v.is_object()) return dict_m.count(name) > 0;
  if (v.is_array()) return list_m.count(name) > 0;
  if (v.is_string()) return str_m.count(name) > 0;
  return false;
}

std::string jinja_type(const json& v) {  // how Jinja2's messages name an object
  if (v.is_null()) return "'None'";
  return "'" + py_type(v) + " object'";
}

// A Python int from a JSON integer or bool; nullopt for other types.
std::optional<int64_t> as_int(const json& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
  if (v.is_number_unsigned()) {
    if (v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) throw Error("integer beyond 64 bits");
    return static_cast<int64_t>(v.get<uint64_t>());
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  return std::nullopt;
}

double as_double(const json& v) {
  if (auto i = as_int(v)) return static_cast<double>(*i);
  return v.get<double>();
}

[[noreturn]] void overflow() { throw Error("integer result beyond 64 bits (Python would use a big integer)"); }

// CPython's float divmod (floatobject.c _float_div_mod), for // and % on floats.
void float_divmod(double vx, double wx, double& floordiv, double& mod) {
  mod = std::fmod(vx, wx);
  double div = (vx - mod) / wx;
  if (mod != 0.0) {
    if ((wx < 0) != (mod < 0)) {
      mod += wx;
      div -= 1.0;
    }
  } else {
    mod = std::copysign(0.0, wx);
  }
  if (div != 0.0) {
    floordiv = std::floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
  } else {
    floordiv = std::copysign(0.0, vx / wx);
  }
}

// Python int(str) for base 10: surrounding whitespace, a sign, digits with single "_" between.
std::optional<int64_t> parse_py_int(const std::string& text) {
  std::string s = py_strip(text);
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  if (i >= s.size()) return std::nullopt;
  __int128 v = 0;
  bool prev_digit = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      v = v * 10 + (c - '0');
      if (v > static_cast<__int128>(INT64_MAX) + 1) overflow();
      prev_digit = true;
    } else if (c == '_' && prev_digit && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9') {
      prev_digit = false;
    } else {
      return std::nullopt;
    }
  }
  if (neg) v = -v;
  if (v > INT64_MAX) overflow();
  return static_cast<int64_t>(v);
}

// Python float(str): whitespace, sign, decimal/exponent forms with "_" between digits, inf,
// infinity, nan (any case).
std::optional<double> parse_py_float(const std::string& text) {
  std::string s = py_strip(text);
  std::string body = s, sign;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) { sign = body.substr(0, 1); body.erase(0, 1); }
  std::string low;
  for (char c : body) low += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (low == "inf" || low == "infinity") return sign == "-" ? -INFINITY : INFINITY;
  if (low == "nan") return NAN;
  std::string clean;
  size_t i = 0, n = body.size();
  auto digits = [&]() {
    size_t st = i;
    while (i < n) {
      if (std::isdigit(static_cast<unsigned char>(body[i]))) clean += body[i++];
      else if (body[i] == '_' && i > st && std::isdigit(static_cast<unsigned char>(body[i - 1])) && i + 1 < n &&
               std::isdigit(static_cast<unsigned char>(body[i + 1])))
        ++i;
      else break;
    }
    return i > st;
  };
  bool int_part = digits(), frac_part = false;
  if (i < n && body[i] == '.') {
    clean += body[i++];
    frac_part = digits();
  }
  if (!int_part && !frac_part) return std::nullopt;
  if (i < n && (body[i] == 'e' || body[i] == 'E')) {
    clean += body[i++];
    if (i < n && (body[i] == '+' || body[i] == '-')) clean += body[i++];
    if (!digits()) return std::nullopt;
  }
  if (i != n) return std::nullopt;
  return std::strtod((sign + clean).c_str(), nullptr);
}

class Renderer {
 public:
  Renderer(const std::string& source, const std::string& where, const json& doc)
      : src_(source), where_(where), doc_(doc) {}

  void render(const std::vector<Node>& nodes, std::string& out) {
    for (const Node& n : nodes) {
      switch (n.kind) {
        case NodeKind::Text: out += n.text; break;
        case NodeKind::Output: {
          std::string text = text_of(eval(*n.expr), n.expr->pos);
          guard(n.expr->pos, [&] { spend(text.size()); });
          out += text;
          break;
        }
        case NodeKind::If: {
          bool taken = false;
          for (const auto& [cond, body] : n.branches) {
            if (truthy(eval(*cond), cond->pos)) {
              render(body, out);
              taken = true;
              break;
            }
          }
          if (!taken) render(n.else_body, out);
          break;
        }
        case NodeKind::For: render_for(n, out); break;
      }
    }
  }

  // The value of `{{ expr }}` as data (DocTemplate::evaluate).
  json value_of(const Expr& e) {
    Value v = eval(e);
    if (v.undefined && v.soft) return "";
    return need(v, e.pos);
  }

  std::string text_of(const Value& v, size_t pos) {
    if (v.undefined && v.soft) return "";
    const json& j = need(v, pos);
    return guard(pos, [&] { return py_str(j); });
  }

 private:
  [[noreturn]] void fail(const std::string& problem, size_t pos) const {
    throw LocatedError(where_ + ": " + problem + " (" + line_of(src_, pos) + ")");
  }

  template <class F>
  auto guard(size_t pos, F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const LocatedError&) {
      throw;
    } catch (const Error& e) {
      fail(e.what(), pos);
    }
  }

  // StrictUndefined: any use of an undefined value but the tests is an error naming it.
  const json& need(const Value& v, size_t pos) const {
    if (v.undefined) fail(v.hint, pos);
    return v.v;
  }

  bool truthy(const Value& v, size_t pos) const {
    if (v.undefined && v.soft) return false;
    return py_truthy(need(v, pos));
  }

  void render_for(const Node& n, std::string& out) {
    Value seq = eval(*n.expr);
    std::vector<json> items;
    if (!(seq.undefined && seq.soft)) {
      const json& s = need(seq, n.expr->pos);
      // Each step is paid for before the items are made (a string's characters take far more
      // memory as separate items than as text).
      const size_t steps = s.is_array() ? s.size() : s.is_string() ? py_len(s.get_ref<const std::string&>()) : 0;
      guard(n.expr->pos, [&] { need_room(kLoopStepCost, steps); });
      if (s.is_array()) items.assign(s.begin(), s.end());
      else if (s.is_string())
        for (std::string& c : py_chars(s.get<std::string>())) items.push_back(std::move(c));
      else if (s.is_object())
        fail("iterating over a mapping is not supported (its key order is not kept)", n.expr->pos);
      else
        fail("'" + py_type(s) + "' object is not iterable", n.expr->pos);
    }
    if (items.empty()) {
      render(n.else_body, out);
      return;
    }
    const int64_t len = static_cast<int64_t>(items.size());
    for (int64_t i = 0; i < len; ++i) {
      guard(n.expr->pos, [&] { spend(kLoopStepCost); });
      json loop = {{"index", i + 1},        {"index0", i},          {"revindex", len - i},
                   {"revindex0", len - i - 1}, {"first", i == 0}, {"last", i == len - 1},
                   {"length", len}};
      frames_.push_back({{n.var, items[static_cast<size_t>(i)]}, {"loop", loop}});
      try {
        render(n.body, out);
      } catch (...) {
        frames_.pop_back();
        throw;
      }
      frames_.pop_back();
    }
  }

  // What one render may build, so that a short template cannot take all memory or time (the fuzzer
  // wrote a 40-byte template that built gigabytes). Jinja2 has no such bound; a real prompt, a
  // long-context passage included, stays far below it. Units: bytes of text and of strings, items
  // of lists, and kLoopStepCost per loop step.
  static constexpr size_t kBudget = size_t{1} << 22;
  static constexpr size_t kLoopStepCost = 1024;  // at most 4096 steps: prompts loop over a few choices
  size_t spent_ = 0;

  [[noreturn]] static void over_budget() {
    throw Error("the template builds more than its budget of 4 Mi bytes and items (a runaway repetition, "
                "concatenation or loop?)");
  }
  size_t left() const { return kBudget - spent_; }
  // Refuses, before building it, a result of `unit` * `times` units that would not fit.
  void need_room(size_t unit, uint64_t times = 1) const {
    if (unit != 0 && times > left() / unit) over_budget();
  }
  void spend(size_t units) {
    need_room(units);
    spent_ += units;
  }

  // str.replace, refused before it is built when the result would not fit.
  json replace(const std::string& s, const std::string& old, const std::string& repl, long count) const {
    need_room(replace_size(s, old, repl, count));
    return py_replace(s, old, repl, count);
  }

  // Bytes of py_replace(s, old, repl, count), counted without building it.
  static size_t replace_size(const std::string& s, const std::string& old, const std::string& repl, long count) {
    uint64_t hits = 0;
    auto more = [&] { return count < 0 || hits < static_cast<uint64_t>(count); };
    if (old.empty()) {
      hits = py_len(s) + 1;
      if (count >= 0) hits = std::min<uint64_t>(hits, static_cast<uint64_t>(count));
    } else {
      for (size_t at = s.find(old); more() && at != std::string::npos; at = s.find(old, at + old.size())) ++hits;
    }
    const uint64_t removed = hits * old.size();  // <= s.size(): the hits do not overlap
    if (repl.size() != 0 && hits > (UINT64_MAX - s.size()) / repl.size()) return SIZE_MAX;
    const uint64_t total = s.size() - removed + hits * repl.size();
    return total > SIZE_MAX ? SIZE_MAX : static_cast<size_t>(total);
  }

  // Every value an expression yields is paid for by its size (a string's bytes, a list's items);
  // what builds more than that (repetition, list concatenation, replace, join) pays before building.
  Value eval(const Expr& e) {
    try {
      Value v = eval_inner(e);
      if (!v.undefined) {
        const json& j = v.v;
        spend(j.is_string() ? j.get_ref<const std::string&>().size() : j.is_structured() ? j.size() : 1);
      }
      return v;
    } catch (const LocatedError&) {
      throw;
    } catch (const Error& err) {
      fail(err.what(), e.pos);
    }
  }

  Value eval_inner(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Literal: return of(e.literal);
      case ExprKind::Name: return lookup(e.name);
      case ExprKind::List: {
        json list = json::array();
        for (const auto& c : e.children) list.push_back(need(eval(*c), c->pos));
        return of(std::move(list));
      }
      case ExprKind::Attr: return get_attr(need(eval(*e.children[0]), e.pos), e.name);
      case ExprKind::Item: {
        const json obj = need(eval(*e.children[0]), e.pos);
        return get_item(obj, need(eval(*e.children[1]), e.children[1]->pos));
      }
      case ExprKind::Slice: return slice(e);
      case ExprKind::Method: return call_method(e);
      case ExprKind::Call: return call_range(e);
      case ExprKind::Filter: return apply_filter(e);
      case ExprKind::Test: {
        Value v = eval(*e.children[0]);
        bool r = false;
        if (e.name == "defined") r = !v.undefined;
        else if (e.name == "undefined") r = v.undefined;
        else if (e.name == "none") r = !v.undefined && v.v.is_null();
        else if (e.name == "true") r = !v.undefined && v.v.is_boolean() && v.v.get<bool>();
        else if (e.name == "false") r = !v.undefined && v.v.is_boolean() && !v.v.get<bool>();
        return of(e.negated ? !r : r);
      }
      case ExprKind::Unary: return unary(e);
      case ExprKind::Binary: return binary(e);
      case ExprKind::Compare: return compare(e);
      case ExprKind::CondExpr: {
        if (truthy(eval(*e.children[0]), e.children[0]->pos)) return eval(*e.children[1]);
        if (e.children[2]) return eval(*e.children[2]);
        return Value::undef("the inline if-expression evaluated to false and no else section was defined", true);
      }
    }
    fail("unknown expression", e.pos);
  }

  // Loop variables shadow document fields; lm-eval passes the fields as the template's variables.
  Value lookup(const std::string& name) const {
    for (auto it = frames_.rbegin(); it != frames_.rend(); ++it) {
      auto f = it->find(name);
      if (f != it->end()) return of(f->second);
    }
    auto d = doc_.find(name);
    if (d != doc_.end()) return of(*d);
    return Value::undef("'" + name + "' is undefined");
  }

  // Jinja2 getattr: Python attribute first (a method here: refused), then the item.
  Value get_attr(const json& obj, const std::string& name) const {
    if (is_builtin_method(obj, name))
      throw Error("'." + name + "' names the " + py_type(obj) + " method '" + name + "' in Jinja2" +
                  (obj.is_object() ? ", not the key (write ['" + name + "'])" : " (call it, or it is not supported)"));
    if (obj.is_object()) {
      auto it = obj.find(name);
      if (it != obj.end()) return of(*it);
    }
    return Value::undef(jinja_type(obj) + " has no attribute '" + name + "'");
  }

  // Jinja2 getitem: obj[key] first; a string key then falls back to the attribute.
  Value get_item(const json& obj, const json& key) const {
    if (obj.is_object()) {
      if (key.is_string()) {
        auto it = obj.find(key.get<std::string>());
        if (it != obj.end()) return of(*it);
        return get_attr(obj, key.get<std::string>());
      }
      return Value::undef(jinja_type(obj) + " has no element " + py_repr(key));
    }
    if (obj.is_array() || obj.is_string()) {
      if (auto idx = key.is_number_float() ? std::nullopt : as_int(key)) {
        if (obj.is_array()) {
          int64_t n = static_cast<int64_t>(obj.size()), i = *idx < 0 ? *idx + n : *idx;
          if (i < 0 || i >= n) return Value::undef(py_type(obj) + " object has no element " + std::to_string(*idx));
          return of(obj[static_cast<size_t>(i)]);
        }
        std::vector<std::string> chars = py_chars(obj.get<std::string>());
        int64_t n = static_cast<int64_t>(chars.size()), i = *idx < 0 ? *idx + n : *idx;
        if (i < 0 || i >= n) return Value::undef("str object has no element " + std::to_string(*idx));
        return of(std::move(chars[static_cast<size_t>(i)]));
      }
      if (key.is_string()) return get_attr(obj, key.get<std::string>());
      return Value::undef(py_type(obj) + " indices must be integers or slices, not " + py_type(key));
    }
    return Value::undef(jinja_type(obj) + " has no element " + (key.is_string() ? key.get<std::string>() : py_repr(key)));
  }

  Value slice(const Expr& e) {
    const json obj = need(eval(*e.children[0]), e.pos);
    std::optional<int64_t> part[3];
    for (int k = 0; k < 3; ++k) {
      const auto& c = e.children[static_cast<size_t>(k) + 1];
      if (!c) continue;
      const json v = need(eval(*c), c->pos);
      if (v.is_null()) continue;
      part[k] = v.is_number_float() ? std::nullopt : as_int(v);
      if (!part[k]) fail("slice indices must be integers or None", c->pos);
    }
    int64_t step = part[2].value_or(1);
    if (step == 0) fail("slice step cannot be zero", e.pos);
    std::vector<std::string> chars;
    int64_t n;
    if (obj.is_array()) n = static_cast<int64_t>(obj.size());
    else if (obj.is_string()) { chars = py_chars(obj.get<std::string>()); n = static_cast<int64_t>(chars.size()); }
    else fail(jinja_type(obj) + " cannot be sliced", e.pos);
    // Python's slice.indices().
    const int64_t lower = step < 0 ? -1 : 0, upper = step < 0 ? n - 1 : n;
    auto clamp = [&](std::optional<int64_t> x, int64_t dflt) {
      if (!x) return dflt;
      int64_t v = *x < 0 ? *x + n : *x;
      return v < lower ? lower : (v > upper ? upper : v);
    };
    int64_t start = clamp(part[0], step < 0 ? upper : lower), stop = clamp(part[1], step < 0 ? lower : upper);
    json list = json::array();
    std::string sub;
    for (int64_t i = start; step > 0 ? i < stop : i > stop;) {
      if (obj.is_array()) list.push_back(obj[static_cast<size_t>(i)]);
      else sub += chars[static_cast<size_t>(i)];
      if (__builtin_add_overflow(i, step, &i)) break;  // beyond int64 is beyond stop
    }
    if (obj.is_array()) return of(std::move(list));
    return of(std::move(sub));
  }

  std::vector<json> args_of(const Expr& e, size_t first) {
    std::vector<json> a;
    for (size_t k = first; k < e.children.size(); ++k) a.push_back(need(eval(*e.children[k]), e.children[k]->pos));
    return a;
  }

  static const std::string& str_arg(const json& v, const std::string& what) {
    if (!v.is_string()) throw Error(what + " must be str, not " + py_type(v));
    return v.get_ref<const std::string&>();
  }

  static int64_t int_arg(const json& v, const std::string& what) {
    auto i = v.is_number_float() ? std::nullopt : as_int(v);
    if (!i) throw Error(what + " must be an integer, not " + py_type(v));
    return *i;
  }

  Value call_method(const Expr& e) {
    const json obj = need(eval(*e.children[0]), e.pos);
    std::vector<json> a = args_of(e, 1);
    const std::string& m = e.name;
    auto arity = [&](size_t lo, size_t hi) {
      if (a.size() < lo || a.size() > hi)
        throw Error(py_type(obj) + "." + m + "() takes " + std::to_string(lo) + (lo == hi ? "" : " to " + std::to_string(hi)) +
                    " arguments, got " + std::to_string(a.size()));
    };
    if (obj.is_string()) {
      const std::string& s = obj.get_ref<const std::string&>();
      if (m == "strip" || m == "lstrip" || m == "rstrip") {
        arity(0, 1);
        if (a.empty() || a[0].is_null()) return of(m == "strip" ? py_strip(s) : m == "lstrip" ? py_lstrip(s) : py_rstrip(s));
        const std::string& chars = str_arg(a[0], m + "() argument");
        return of(m == "strip" ? py_strip_chars(s, chars) : m == "lstrip" ? py_lstrip_chars(s, chars) : py_rstrip_chars(s, chars));
      }
      if (m == "lower") { arity(0, 0); return of(py_lower(s)); }
      if (m == "upper") { arity(0, 0); return of(py_upper(s)); }
      if (m == "replace") {
        arity(2, 3);
        long count = a.size() == 3 ? static_cast<long>(int_arg(a[2], "replace() count")) : -1;
        const std::string &old = str_arg(a[0], "replace() argument 1"), &repl = str_arg(a[1], "replace() argument 2");
        return of(replace(s, old, repl, count));
      }
      if (m == "split") {
        arity(0, 2);
        long maxsplit = a.size() == 2 ? static_cast<long>(int_arg(a[1], "split() maxsplit")) : -1;
        std::vector<std::string> parts = (a.empty() || a[0].is_null())
                                             ? py_split(s, maxsplit)
                                             : py_split_sep(s, str_arg(a[0], "split() separator"), maxsplit);
        return of(json(parts));
      }
      if (m == "startswith" || m == "endswith") {
        arity(1, 1);
        const std::string& x = str_arg(a[0], m + "() argument");
        bool r = x.size() <= s.size() &&
                 (m == "startswith" ? s.compare(0, x.size(), x) == 0 : s.compare(s.size() - x.size(), x.size(), x) == 0);
        return of(r);
      }
      if (m == "index") {
        arity(1, 1);
        size_t at = s.find(str_arg(a[0], "index() argument"));
        if (at == std::string::npos) throw Error("substring not found");
        return of(static_cast<int64_t>(py_len(std::string_view(s).substr(0, at))));
      }
    }
    if (obj.is_array() && m == "index") {
      arity(1, 1);
      for (size_t i = 0; i < obj.size(); ++i)
        if (py_equal(obj[i], a[0])) return of(static_cast<int64_t>(i));
      throw Error(py_repr(a[0]) + " is not in list");
    }
    throw Error(jinja_type(obj) + " has no method '" + m + "' in the supported subset");
  }

  Value call_range(const Expr& e) {
    std::vector<json> a = args_of(e, 0);
    int64_t v[3] = {0, 0, 0};
    for (size_t k = 0; k < a.size(); ++k) v[k] = int_arg(a[k], "range() argument");
    int64_t start = a.size() == 1 ? 0 : v[0], stop = a.size() == 1 ? v[0] : v[1], step = a.size() == 3 ? v[2] : 1;
    if (step == 0) throw Error("range() arg 3 must not be zero");
    json list = json::array();
    for (int64_t i = start; step > 0 ? i < stop : i > stop;) {
      if (list.size() >= 1000000) throw Error("range() of more than 1000000 items");
      list.push_back(i);
      // Python's ints do not overflow: a next value beyond int64 is beyond stop, so the range ends.
      if (__builtin_add_overflow(i, step, &i)) break;
    }
    return of(std::move(list));
  }

  // Jinja2 3.1 filters.py semantics for each supported filter.
  Value apply_filter(const Expr& e) {
    Value in = eval(*e.children[0]);
    const json& v = need(in, e.children[0]->pos);
    std::vector<json> a = args_of(e, 1);
    const std::string& f = e.name;
    if (f == "trim") {
      if (a.empty() || a[0].is_null()) return of(py_strip(py_str(v)));
      return of(py_strip_chars(py_str(v), str_arg(a[0], "trim() chars")));
    }
    if (f == "lower") return of(py_lower(py_str(v)));
    if (f == "upper") return of(py_upper(py_str(v)));
    if (f == "string") return of(py_str(v));
    if (f == "length" || f == "count") {
      if (v.is_string()) return of(static_cast<int64_t>(py_len(v.get<std::string>())));
      if (v.is_array() || v.is_object()) return of(static_cast<int64_t>(v.size()));
      throw Error("object of type '" + py_type(v) + "' has no len()");
    }
    if (f == "join") {
      std::string sep = a.empty() ? "" : py_str(a[0]), out;
      std::vector<json> items = sequence(v);
      if (items.size() > 1) need_room(sep.size(), items.size() - 1);  // the separators alone
      for (size_t i = 0; i < items.size(); ++i) {
        out += (i ? sep : "") + py_str(items[i]);
        need_room(out.size());
      }
      return of(out);
    }
    if (f == "list") return of(json(sequence(v)));
    if (f == "first" || f == "last") {
      std::vector<json> items = sequence(v);
      if (items.empty()) return Value::undef(std::string("No ") + f + " item, sequence was empty.");
      return of(f == "first" ? items.front() : items.back());
    }
    if (f == "replace") {
      long count = a.size() == 3 && !a[2].is_null() ? static_cast<long>(int_arg(a[2], "replace count")) : -1;
      return of(replace(py_str(v), py_str(a[0]), py_str(a[1]), count));
    }
    if (f == "int") {
      json dflt = a.empty() ? json(0) : a[0];
      return of(to_int(v, dflt));
    }
    if (f == "float") {
      json dflt = a.empty() ? json(0.0) : a[0];
      if (v.is_string()) {
        if (auto d = parse_py_float(v.get<std::string>())) return of(*d);
        return of(dflt);
      }
      if (is_number(v)) return of(as_double(v));
      return of(dflt);
    }
    if (f == "regex_replace") {  // lm-eval's filter: re.sub(pattern, repl, string, count=count)
      size_t count = a.size() == 3 ? static_cast<size_t>(std::max<int64_t>(0, int_arg(a[2], "regex_replace count"))) : 0;
      const PyRegex& re = regex(str_arg(a[0], "regex_replace pattern"));
      return of(re.sub(str_arg(v, "regex_replace input"), str_arg(a[1], "regex_replace replacement"), count, left()));
    }
    throw Error("filter '" + f + "' is not supported");
  }

  // Jinja2 do_int: int(value) (base 10 for strings), else int(float(value)), else the default.
  static json to_int(const json& v, const json& dflt) {
    // int(nan) raises ValueError: the default. int(inf) raises OverflowError, which do_int
    // catches only on its second try (int(float(value))): a string "inf" gives the default, a
    // float infinity is an error.
    auto from_double = [&](double d, bool second_try) -> json {
      if (std::isnan(d)) return dflt;
      if (std::isinf(d)) {
        if (second_try) return dflt;
        throw Error("cannot convert float infinity to integer");
      }
      if (std::fabs(d) >= 9.2233720368547758e18) overflow();
      return static_cast<int64_t>(std::trunc(d));
    };
    if (v.is_string()) {
      if (auto i = parse_py_int(v.get<std::string>())) return *i;
      if (auto d = parse_py_float(v.get<std::string>())) return from_double(*d, true);
      return dflt;
    }
    if (v.is_number_float()) return from_double(v.get<double>(), false);
    if (auto i = as_int(v)) return *i;
    return dflt;
  }

  // The items Python would iterate: list items, a string's characters; mappings are refused.
  // They are paid for before they are made.
  std::vector<json> sequence(const json& v) {
    if (v.is_array()) {
      need_room(v.size());
      return std::vector<json>(v.begin(), v.end());
    }
    if (v.is_string()) {
      need_room(py_len(v.get_ref<const std::string&>()));
      std::vector<json> out;
      for (std::string& c : py_chars(v.get<std::string>())) out.push_back(std::move(c));
      return out;
    }
    if (v.is_object()) throw Error("iterating over a mapping is not supported (its key order is not kept)");
    throw Error("'" + py_type(v) + "' object is not iterable");
  }

  Value unary(const Expr& e) {
    Value x = eval(*e.children[0]);
    if (e.name == "not") return of(!truthy(x, e.children[0]->pos));
    const json& v = need(x, e.children[0]->pos);
    if (!is_number(v)) throw Error("bad operand type for unary " + e.name + ": '" + py_type(v) + "'");
    if (e.name == "+") return of(v.is_boolean() ? json(*as_int(v)) : v);
    if (auto i = as_int(v)) {
      if (*i == INT64_MIN) overflow();
      return of(-*i);
    }
    return of(-v.get<double>());
  }

  Value binary(const Expr& e) {
    const std::string& op = e.name;
    if (op == "and" || op == "or") {  // Python returns the deciding operand itself
      Value l = eval(*e.children[0]);
      bool t = truthy(l, e.children[0]->pos);
      if ((op == "and") ? !t : t) return l;
      return eval(*e.children[1]);
    }
    Value lv = eval(*e.children[0]);
    Value rv = eval(*e.children[1]);
    if (op == "~") return of(text_of(lv, e.children[0]->pos) + text_of(rv, e.children[1]->pos));
    const json& l = need(lv, e.children[0]->pos);
    const json& r = need(rv, e.children[1]->pos);
    if (op == "+" && l.is_array() && r.is_array()) spend(copy_weight(l, kBudget) + copy_weight(r, kBudget));
    if (op == "*") {  // sequence repetition
      bool ls = l.is_string() || l.is_array(), rs = r.is_string() || r.is_array();
      if (ls && !rs && !r.is_number_float() && as_int(r)) return of(repeat(l, *as_int(r)));
      if (rs && !ls && !l.is_number_float() && as_int(l)) return of(repeat(r, *as_int(l)));
    }
    return of(arith(op, l, r));
  }

  // Nodes plus string bytes in a deep copy of `v`, counted until past `limit`.
  static size_t copy_weight(const json& v, size_t limit) {
    size_t weight = 0;
    std::vector<const json*> todo{&v};
    while (!todo.empty() && weight <= limit) {
      const json* j = todo.back();
      todo.pop_back();
      ++weight;
      if (j->is_string()) weight += j->get_ref<const std::string&>().size();
      else if (j->is_structured())
        for (const auto& x : *j) todo.push_back(&x);
    }
    return weight;
  }

  json repeat(const json& seq, int64_t times) {
    if (times <= 0) return seq.is_string() ? json("") : json::array();
    // What one copy adds: a string's bytes, or every element and byte inside a list (json copies
    // nested lists and strings deeply where Python's repetition shares them: the fuzzer's
    // 9223*[11*[22211*[111]]] is 2.25e9 deep-copied items out of a 244k-item list). The list
    // node itself is not copied, hence the - 1.
    const size_t unit = seq.is_string() ? seq.get_ref<const std::string&>().size() : copy_weight(seq, kBudget) - 1;
    // An empty sequence stays empty however many times (Python: "" * 10**18 == ""), without a
    // loop of `times` steps (the fuzzer's "" * 492233736854775807 ran for hours).
    if (unit == 0) return seq.is_string() ? json("") : json::array();
    need_room(unit, static_cast<uint64_t>(times));
    if (seq.is_string()) {
      std::string out;
      for (int64_t k = 0; k < times; ++k) out += seq.get_ref<const std::string&>();
      return out;
    }
    json out = json::array();
    for (int64_t k = 0; k < times; ++k)
      for (const auto& x : seq) out.push_back(x);
    return out;
  }

  static json arith(const std::string& op, const json& l, const json& r) {
    auto type_error = [&]() -> json {
      throw Error("unsupported operand type(s) for " + op + ": '" + py_type(l) + "' and '" + py_type(r) + "'");
    };
    if (op == "+") {
      if (l.is_string() && r.is_string()) return l.get<std::string>() + r.get<std::string>();
      if (l.is_array() && r.is_array()) {
        json out = l;
        for (const auto& x : r) out.push_back(x);
        return out;
      }
    }
    if (op == "%" && l.is_string()) throw Error("string formatting with '%' is outside the supported template subset");
    if (!is_number(l) || !is_number(r)) return type_error();
    auto li = l.is_number_float() ? std::nullopt : as_int(l);
    auto ri = r.is_number_float() ? std::nullopt : as_int(r);
    if (li && ri) {
      int64_t a = *li, b = *ri, out = 0;
      if (op == "+") { if (__builtin_add_overflow(a, b, &out)) overflow(); return out; }
      if (op == "-") { if (__builtin_sub_overflow(a, b, &out)) overflow(); return out; }
      if (op == "*") { if (__builtin_mul_overflow(a, b, &out)) overflow(); return out; }
      if (op == "/") {
        if (b == 0) throw Error("division by zero");
        return static_cast<double>(a) / static_cast<double>(b);
      }
      if (op == "//" || op == "%") {
        if (b == 0) throw Error("integer division or modulo by zero");
        if (a == INT64_MIN && b == -1) overflow();
        int64_t q = a / b, m = a % b;
        if (m != 0 && ((m < 0) != (b < 0))) { q -= 1; m += b; }  // Python floors toward -inf
        return op == "//" ? q : m;
      }
      if (op == "**") {
        if (b < 0) {
          if (a == 0) throw Error("0.0 cannot be raised to a negative power");
          return std::pow(static_cast<double>(a), static_cast<double>(b));
        }
        int64_t acc = 1;
        for (int64_t k = 0; k < b; ++k) {
          if (__builtin_mul_overflow(acc, a, &acc)) overflow();
          if (acc == 0 || acc == 1) break;
        }
        if (acc == -1) acc = (b % 2 == 0) ? 1 : -1;
        return acc;
      }
    }
    double a = as_double(l), b = as_double(r);
    if (op == "+") return a + b;
    if (op == "-") return a - b;
    if (op == "*") return a * b;
    if (op == "/") {
      if (b == 0) throw Error("float division by zero");
      return a / b;
    }
    if (op == "//" || op == "%") {
      if (b == 0) throw Error(op == "//" ? "float floor division by zero" : "float modulo");
      double q, m;
      float_divmod(a, b, q, m);
      return op == "//" ? q : m;
    }
    if (op == "**") {
      if (a == 0 && b < 0) throw Error("0.0 cannot be raised to a negative power");
      if (a < 0 && b != std::floor(b)) throw Error("a negative number to a fractional power is complex");
      return std::pow(a, b);
    }
    return type_error();
  }

  Value compare(const Expr& e) {
    Value left = eval(*e.children[0]);
    for (size_t k = 0; k < e.ops.size(); ++k) {
      Value right = eval(*e.children[k + 1]);
      const json& l = need(left, e.children[k]->pos);
      const json& r = need(right, e.children[k + 1]->pos);
      const std::string& op = e.ops[k];
      bool ok;
      if (op == "==") ok = py_equal(l, r);
      else if (op == "!=") ok = !py_equal(l, r);
      else if (op == "<") ok = py_less(l, r);
      else if (op == ">") ok = py_less(r, l);
      else if (op == "<=") ok = py_less(l, r) || py_equal(l, r);
      else if (op == ">=") ok = py_less(r, l) || py_equal(l, r);
      else ok = (op == "in") == contains(r, l);
      if (!ok) return of(false);
      left = std::move(right);
    }
    return of(true);
  }

  static bool contains(const json& hay, const json& needle) {
    if (hay.is_string()) {
      if (!needle.is_string()) throw Error("'in <string>' requires string as left operand, not " + py_type(needle));
      return hay.get_ref<const std::string&>().find(needle.get_ref<const std::string&>()) != std::string::npos;
    }
    if (hay.is_array()) {
      for (const auto& x : hay)
        if (py_equal(x, needle)) return true;
      return false;
    }
    if (hay.is_object()) {
      if (needle.is_array() || needle.is_object()) throw Error("unhashable type: '" + py_type(needle) + "'");
      return needle.is_string() && hay.contains(needle.get<std::string>());
    }
    throw Error("argument of type '" + py_type(hay) + "' is not iterable");
  }

  // regex_replace in a loop compiles its pattern once (a few patterns kept: a pattern may be computed).
  const PyRegex& regex(const std::string& pattern) {
    auto it = regexes_.find(pattern);
    if (it != regexes_.end()) return it->second;
    if (regexes_.size() >= 8) regexes_.clear();
    return regexes_.emplace(pattern, PyRegex(pattern)).first->second;
  }

  const std::string& src_;
  const std::string& where_;
  const json& doc_;
  std::map<std::string, PyRegex> regexes_;
  std::vector<std::map<std::string, json>> frames_;
};

}  // namespace

struct DocTemplate::Impl {
  std::string source, where;
  std::vector<Node> nodes;
};

DocTemplate::DocTemplate(const std::string& source, const std::string& where) : impl_(std::make_unique<Impl>()) {
  impl_->source = source;
  impl_->where = where;
  impl_->nodes = parse_template(source, where);
}

DocTemplate::~DocTemplate() = default;
DocTemplate::DocTemplate(DocTemplate&&) noexcept = default;
DocTemplate& DocTemplate::operator=(DocTemplate&&) noexcept = default;

const std::string& DocTemplate::source() const { return impl_->source; }

namespace {

void require_object(const json& doc, const std::string& where) {
  if (!doc.is_object()) throw Error(where + ": the document is not a JSON object");
}

std::string field_text(const json& v, const std::string& where, const std::string& field) {
  try {
    return py_str(v);
  } catch (const Error& e) {
    throw Error(where + ": field '" + field + "': " + e.what());
  }
}

}  // namespace

std::string DocTemplate::render(const json& doc) const {
  require_object(doc, impl_->where);
  // lm-eval: a template that is the name of a document field yields that field.
  auto it = doc.find(impl_->source);
  if (it != doc.end()) return field_text(*it, impl_->where, impl_->source);
  Renderer r(impl_->source, impl_->where, doc);
  std::string out;
  r.render(impl_->nodes, out);
  return out;
}

json DocTemplate::evaluate(const json& doc) const {
  require_object(doc, impl_->where);
  auto it = doc.find(impl_->source);
  if (it != doc.end()) return *it;
  if (impl_->nodes.size() == 1 && impl_->nodes[0].kind == NodeKind::Output) {
    Renderer r(impl_->source, impl_->where, doc);
    return r.value_of(*impl_->nodes[0].expr);
  }
  return render(doc);
}

}  // namespace lfmb::eval
