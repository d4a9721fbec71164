// The parsed form of a prompt template (see doc_template.h for the subset), and the parser that
// builds it. Internal to eval/template/.
//
// Followed: Jinja2 3.1 (jinja2/lexer.py, jinja2/parser.py) for delimiters, whitespace control,
// literal syntax and operator precedence, as lm-evaluation-harness 4e7e0d47f33b configures it in
// lm_eval/utils.py (`Environment(undefined=StrictUndefined, keep_trailing_newline=True)`: default
// delimiters, no trim_blocks, no lstrip_blocks, newlines in template text normalised to "\n").
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lfmb::eval::tmpl {

enum class ExprKind {
  Literal,   // literal
  Name,      // name
  List,      // [children...]
  Attr,      // children[0].name
  Item,      // children[0][children[1]]
  Slice,     // children[0][children[1]:children[2]:children[3]] (null child = omitted)
  Method,    // children[0].name(children[1..])
  Call,      // name(children...) — only range()
  Filter,    // children[0] | name(children[1..])
  Test,      // children[0] is [not] name   (negated)
  Unary,     // op children[0]            op: "-", "+", "not"
  Binary,    // children[0] op children[1]   op: + - * / // % ** ~ and or
  Compare,   // children[0] ops[0] children[1] ops[1] children[2] ... (chained, as Python)
  CondExpr,  // children[1] if children[0] else children[2] (children[2] may be null)
};

struct Expr {
  ExprKind kind;
  size_t pos = 0;  // byte offset in the source, for messages
  nlohmann::json literal;
  std::string name;  // Name, Attr, Method, Call, Filter, Test; operator for Unary/Binary
  std::vector<std::string> ops;
  bool negated = false;
  std::vector<std::unique_ptr<Expr>> children;
};
using ExprPtr = std::unique_ptr<Expr>;

enum class NodeKind { Text, Output, If, For };

struct Node {
  NodeKind kind;
  size_t pos = 0;
  std::string text;  // Text
  ExprPtr expr;      // Output: the expression; For: the iterable
  // If: (condition, body) per if/elif; else_body for else.
  std::vector<std::pair<ExprPtr, std::vector<Node>>> branches;
  std::string var;   // For: the loop variable
  std::vector<Node> body;       // For
  std::vector<Node> else_body;  // If / For
};

// Parses `source`; throws lfmb::Error "<where>: <problem> (line L)" for syntax errors and
// constructs outside the subset.
std::vector<Node> parse_template(const std::string& source, const std::string& where);

// "line L" of a byte offset, for messages.
std::string line_of(const std::string& source, size_t pos);

}  // namespace lfmb::eval::tmpl
