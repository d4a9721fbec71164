// list(csv.reader(io.StringIO(text), delimiter=d)) as CPython 3.11 computes it (Modules/_csv.c with
// the default "excel" dialect: quotechar '"', doublequote, strict=False, no escapechar). The IFBench
// CSV checkers parse responses this way, which differs from reading a file (eval/data/csv_parser.h):
// io.StringIO splits lines at '\n' only, a blank line is a record [] of its own, an unterminated
// quoted field is kept, and a '\r' followed by more text on its line is csv.Error.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lfmb::eval::instructions {

struct PyCsvRead {
  std::vector<std::vector<std::string>> rows;
  std::optional<std::string> error;  // csv.Error's message when Python raises (rows then incomplete)
};

PyCsvRead py_csv_reader(std::string_view text, char delimiter = ',');

}  // namespace lfmb::eval::instructions
