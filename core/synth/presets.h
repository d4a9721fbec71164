// Named model shapes for `lfmb synth`: the published configurations of the models lfmb studies
// (real shapes, so throughput numbers mean something) plus tiny ones that exercise every block
// kind in tests.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/model/model_config.h"

namespace lfmb {

struct SynthPreset {
  std::string name;      // "lfm2-8b-a1b"
  std::string summary;   // one line for `lfmb synth --list`
  ModelConfig config;    // config.name is "<name> (synthetic)"
};

// All presets, full-size ones first.
const std::vector<SynthPreset>& synth_presets();
// nullptr when there is no preset of that name.
const SynthPreset* find_synth_preset(std::string_view name);
// "lfm2-8b-a1b, qwen3-1.7b, ..." for error messages.
std::string synth_preset_names();

}  // namespace lfmb
