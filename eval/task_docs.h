// The documents of a task: the split's data file read from the data dir (format by suffix:
// .jsonl, .csv, .tsv, each optionally .gz), then the task's process_docs steps.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/task_config.h"

namespace lfmb::eval {

// The path of a split's data file: dataset_kwargs.data_files[split] (with {dataset_name}
// replaced) under DATA_DIR/dataset_path. A missing file is an error naming it and, when the task
// has a data_hint, how to obtain it.
// A data_files entry {concat: [names]} names several files read in order and concatenated (each
// must exist); split_file then gives the first.
std::string split_file(const TaskConfig& t, const std::string& split, const std::string& data_dir);
std::vector<std::string> split_files(const TaskConfig& t, const std::string& split, const std::string& data_dir);

// A string option of dataset_kwargs (loader, key_field, id_field, delimiter, quoting): `dflt`
// when absent or null, an error naming the task file and the key when it is not a string.
std::string dataset_kwarg_string(const TaskConfig& t, const std::string& key, const std::string& dflt = "");

// Documents of a split after process_docs, in file order (doc_id = index in this list).
std::vector<nlohmann::json> load_split_docs(const TaskConfig& t, const std::string& split, const std::string& data_dir);

// The data dir when none is given: $LFMB_DATA_DIR, then ../shared/datasets beside the source.
std::string default_data_dir();

}  // namespace lfmb::eval
