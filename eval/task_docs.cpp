#include "eval/task_docs.h"

#include <cstdlib>
#include <filesystem>

#include "core/error.h"
#include "eval/data/table_reader.h"
#include "eval/process_docs.h"

#ifndef LFMB_DATA_DIR_DEFAULT
#define LFMB_DATA_DIR_DEFAULT "../shared/datasets"
#endif

namespace lfmb::eval {

namespace fs = std::filesystem;
using nlohmann::json;

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
  } else {
    throw Error(path + ": unknown data file format '" + ext + "' (.jsonl, .csv, .tsv, optionally .gz)");
  }
  if (docs.empty()) throw Error(path + ": no documents");
  return apply_process_docs(t, std::move(docs));
}

}  // namespace lfmb::eval
