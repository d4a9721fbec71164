#include "eval/task_docs.h"

#include <cstdlib>
#include <filesystem>

#include "core/error.h"
#include "core/io/bounded_input.h"
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

std::string default_data_dir() {
  if (const char* e = std::getenv("LFMB_DATA_DIR"); e && *e) return e;
  return LFMB_DATA_DIR_DEFAULT;
}

std::string split_file(const TaskConfig& t, const std::string& split, const std::string& data_dir) {
  const json& files = t.dataset_kwargs.contains("data_files") ? t.dataset_kwargs["data_files"] : json();
  if (!files.is_object() || !files.contains(split))
    throw Error(t.file + ": task '" + t.task + "': dataset_kwargs.data_files has no file for split '" + split + "'");
  // One name, or a list of names tried in order (the first that exists is read).
  std::vector<std::string> names;
  if (files[split].is_string()) names.push_back(files[split].get<std::string>());
  else if (files[split].is_array())
    for (const json& n : files[split]) names.push_back(n.get<std::string>());
  if (names.empty()) throw Error(t.file + ": task '" + t.task + "': data_files." + split + ": expected a file name or a list");
  std::string tried;
  for (std::string name : names) {
    for (size_t p; (p = name.find("{dataset_name}")) != std::string::npos;) name.replace(p, 14, t.dataset_name);
    const fs::path path = fs::path(data_dir) / t.dataset_path / name;
    if (fs::exists(path)) return path.string();
    tried += (tried.empty() ? "" : " or ") + path.string();
  }
  std::string msg = tried + ": data file of task '" + t.task + "' not found";
  if (!t.data_hint.empty()) msg += "; " + t.data_hint;
  throw Error(msg);
}

std::vector<json> load_split_docs(const TaskConfig& t, const std::string& split, const std::string& data_dir) {
  const std::string path = split_file(t, split, data_dir);
  std::string base = path;
  if (base.size() > 3 && base.compare(base.size() - 3, 3, ".gz") == 0) base.resize(base.size() - 3);
  const std::string ext = fs::path(base).extension().string();
  std::vector<json> docs;
  if (ext == ".jsonl") {
    docs = read_jsonl(path);
  } else if (ext == ".csv" || ext == ".tsv") {
    TableOptions o;
    o.delimiter = ext == ".tsv" ? '\t' : ',';
    const json& k = t.dataset_kwargs;
    if (k.contains("delimiter")) o.delimiter = k["delimiter"].get<std::string>().at(0);
    if (k.contains("quoting")) o.quoting = k["quoting"] != "none";
    if (k.contains("header")) o.header = k["header"].get<bool>();
    if (k.contains("column_names")) o.column_names = k["column_names"].get<std::vector<std::string>>();
    docs = read_table(path, o);
  } else if (ext == ".json" && base == path) {
    docs = read_json_records(path, t.dataset_kwargs.value("key_field", std::string("key")));
  } else {
    throw Error(path + ": unknown data file format '" + ext + "' (.jsonl, .csv, .tsv, optionally .gz; .json)");
  }
  if (docs.empty()) throw Error(path + ": no documents");
  return apply_process_docs(t, std::move(docs));
}

}  // namespace lfmb::eval
