#include "eval/task_docs.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "core/error.h"
#include "core/io/bounded_input.h"
#include "eval/code/lcb_dataset.h"
#include "eval/data/table_reader.h"
#include "eval/process_docs.h"

#ifndef LFMB_DATA_DIR_DEFAULT
#define LFMB_DATA_DIR_DEFAULT "../shared/datasets"
#endif

namespace lfmb::eval {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A .json data file: a list of records, or an object of records by key (Creative Writing v3's
// prompts file), read in file order as Python's json.load keeps it; each record gets its key in
// `key_field` (dataset_kwargs.key_field, default "key").
std::vector<json> read_json_records(const std::string& path, const std::string& key_field) {
  nlohmann::ordered_json root;
  try {
    root = nlohmann::ordered_json::parse(read_bounded_input(path, uint64_t(256) << 20));
  } catch (const nlohmann::ordered_json::parse_error& e) {
    throw Error(path + ": not JSON: " + e.what());
  }
  std::vector<json> docs;
  if (root.is_array()) {
    for (const auto& r : root) {
      if (!r.is_object()) throw Error(path + ": expected a list of objects");
      docs.push_back(json::parse(r.dump()));
    }
  } else if (root.is_object()) {
    for (const auto& [k, r] : root.items()) {
      if (!r.is_object()) throw Error(path + ": record '" + k + "' is not an object");
      json d = json::parse(r.dump());
      d[key_field] = k;
      docs.push_back(std::move(d));
    }
  } else {
    throw Error(path + ": expected a JSON list or object of records");
  }
  return docs;
}

}  // namespace

std::string dataset_kwarg_string(const TaskConfig& t, const std::string& key, const std::string& dflt) {
  const json& k = t.dataset_kwargs;
  if (!k.is_object() || !k.contains(key) || k[key].is_null()) return dflt;
  if (!k[key].is_string()) throw Error(t.file + ": task '" + t.task + "': dataset_kwargs." + key + ": expected a string");
  return k[key].get<std::string>();
}

std::string default_data_dir() {
  if (const char* e = std::getenv("LFMB_DATA_DIR"); e && *e) return e;
  return LFMB_DATA_DIR_DEFAULT;
}

namespace {

std::string with_dataset_name(std::string name, const TaskConfig& t) {
  for (size_t p; (p = name.find("{dataset_name}")) != std::string::npos;) name.replace(p, 14, t.dataset_name);
  return name;
}

std::string missing_message(const std::string& tried, const TaskConfig& t) {
  std::string msg = tried + ": data file of task '" + t.task + "' not found";
  if (!t.data_hint.empty()) msg += "; " + t.data_hint;
  return msg;
}

}  // namespace

std::vector<std::string> split_files(const TaskConfig& t, const std::string& split, const std::string& data_dir) {
  const json& files = t.dataset_kwargs.contains("data_files") ? t.dataset_kwargs["data_files"] : json();
  if (!files.is_object() || !files.contains(split))
    throw Error(t.file + ": task '" + t.task + "': dataset_kwargs.data_files has no file for split '" + split + "'");
  const json& f = files[split];
  // {concat: [names]}: every file, read in order and concatenated (Hugging Face's list of
  // data_files for one split; LiveCodeBench's cumulative releases). All must exist.
  if (f.is_object()) {
    if (f.size() != 1 || !f.contains("concat") || !f["concat"].is_array() || f["concat"].empty())
      throw Error(t.file + ": task '" + t.task + "': data_files." + split + ": expected {concat: [file names]}");
    std::vector<std::string> out;
    for (const json& n : f["concat"]) {
      if (!n.is_string()) throw Error(t.file + ": task '" + t.task + "': data_files." + split + ".concat: expected file names");
      const fs::path path = fs::path(data_dir) / t.dataset_path / with_dataset_name(n.get<std::string>(), t);
      std::error_code ec;  // a name the OS refuses (too long) counts as missing, not as a crash
      if (!fs::exists(path, ec)) throw Error(missing_message(path.string(), t));
      out.push_back(path.string());
    }
    return out;
  }
  // One name, or a list of names tried in order (the first that exists is read).
  std::vector<std::string> names;
  if (f.is_string()) names.push_back(f.get<std::string>());
  else if (f.is_array())
    for (const json& n : f) {
      if (!n.is_string()) throw Error(t.file + ": task '" + t.task + "': data_files." + split + ": expected file names");
      names.push_back(n.get<std::string>());
    }
  if (names.empty()) throw Error(t.file + ": task '" + t.task + "': data_files." + split + ": expected a file name or a list");
  std::string tried;
  for (const std::string& name : names) {
    const fs::path path = fs::path(data_dir) / t.dataset_path / with_dataset_name(name, t);
    std::error_code ec;
    if (fs::exists(path, ec)) return {path.string()};
    tried += (tried.empty() ? "" : " or ") + path.string();
  }
  throw Error(missing_message(tried, t));
}

std::string split_file(const TaskConfig& t, const std::string& split, const std::string& data_dir) {
  return split_files(t, split, data_dir).front();
}

namespace {

std::vector<json> read_split_file(const TaskConfig& t, const std::string& path) {
  // dataset_kwargs.loader names a benchmark's own reader (LiveCodeBench: large files whose rows
  // are checked as the official loader checks them).
  const std::string loader = dataset_kwarg_string(t, "loader");
  if (loader == "livecodebench") return read_lcb_jsonl(path);
  if (!loader.empty()) throw Error(t.file + ": task '" + t.task + "': dataset_kwargs.loader '" + loader + "' (livecodebench)");
  std::string base = path;
  if (base.size() > 3 && base.compare(base.size() - 3, 3, ".gz") == 0) base.resize(base.size() - 3);
  const std::string ext = fs::path(base).extension().string();
  if (ext == ".jsonl") return read_jsonl(path);
  if (ext == ".csv" || ext == ".tsv") {
    TableOptions o;
    o.delimiter = ext == ".tsv" ? '\t' : ',';
    const json& k = t.dataset_kwargs;
    const std::string where = t.file + ": task '" + t.task + "': dataset_kwargs.";
    if (k.contains("delimiter")) {
      const std::string d = dataset_kwarg_string(t, "delimiter");
      if (d.size() != 1) throw Error(where + "delimiter: expected one character");
      o.delimiter = d[0];
    }
    if (k.contains("quoting")) o.quoting = dataset_kwarg_string(t, "quoting") != "none";
    if (k.contains("header")) {
      if (!k["header"].is_boolean()) throw Error(where + "header: expected true or false");
      o.header = k["header"].get<bool>();
    }
    if (k.contains("column_names")) {
      const json& c = k["column_names"];
      if (!c.is_array() || !std::all_of(c.begin(), c.end(), [](const json& n) { return n.is_string(); }))
        throw Error(where + "column_names: expected a list of names");
      o.column_names = c.get<std::vector<std::string>>();
    }
    return read_table(path, o);
  }
  if (ext == ".json" && base == path) return read_json_records(path, dataset_kwarg_string(t, "key_field", "key"));
  throw Error(path + ": unknown data file format '" + ext + "' (.jsonl, .csv, .tsv, optionally .gz; .json)");
}

}  // namespace

std::vector<json> load_split_docs(const TaskConfig& t, const std::string& split, const std::string& data_dir) {
  std::vector<json> docs;
  for (const std::string& path : split_files(t, split, data_dir)) {
    std::vector<json> part = read_split_file(t, path);
    if (part.empty()) throw Error(path + ": no documents");
    if (docs.empty()) docs = std::move(part);
    else docs.insert(docs.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
  }
  return apply_process_docs(t, std::move(docs));
}

}  // namespace lfmb::eval
