// lfmb synth: writes a synthetic model (a preset's real shapes, seeded random weights) as GGUF,
// or lists the presets with their sizes.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <thread>

#include "core/cli/command.h"
#include "core/io/disk_space.h"
#include "core/error.h"
#include "core/synth/presets.h"
#include "core/synth/synthesize.h"

namespace lfmb {

namespace {

constexpr const char* kTypeNames = "q4_0, q8_0, bf16, f16, f32";

std::string param_count(int64_t n) {
  if (n >= 1000000000) return fmt::format("{:.3f}B", double(n) / 1e9);
  if (n >= 1000000) return fmt::format("{:.1f}M", double(n) / 1e6);
  return fmt::format("{:.1f}K", double(n) / 1e3);
}

int list_presets() {
  fmt::print("{:<14} {:<8} {:>6} {:>6} {:>9} {:>9} {:>10} {:>10} {:>10} {:>10}\n", "preset", "arch", "layers",
             "hidden", "params", "active", "q4_0", "q8_0", "bf16/f16", "f32");
  for (const auto& p : synth_presets()) {
    const ModelConfig& c = p.config;
    std::string sizes;
    for (TensorType t : {TensorType::Q4_0, TensorType::Q8_0, TensorType::BF16, TensorType::F32})
      sizes += fmt::format(" {:>10}", format_size(ModelSynthesizer(p, t, 0).file_size()));
    fmt::print("{:<14} {:<8} {:>6} {:>6} {:>9} {:>9}{}\n", p.name, arch_name(c.arch), c.n_layer, c.n_embd,
               param_count(count_params(c)), param_count(count_active_params(c)), sizes);
  }
  fmt::print("\nsizes are whole GGUF files (decimal units); norms, conv kernels and routers stay F32.\n");
  return 0;
}

int run_synth(const ParsedArgs& args) {
  if (args.has("--list")) return list_presets();

  const std::string preset_name = args.get_or("--preset", "");
  if (preset_name.empty())
    throw UsageError("synth: --preset NAME is required (presets: " + synth_preset_names() + "; see lfmb synth --list)");
  const SynthPreset* preset = find_synth_preset(preset_name);
  if (!preset) throw UsageError("synth: unknown preset '" + preset_name + "' (presets: " + synth_preset_names() + ")");

  const std::string type_name = args.get_or("--type", "q4_0");
  const auto type = tensor_type_from_name(type_name);
  if (!type) throw UsageError("synth: unknown type '" + type_name + "' (types: " + kTypeNames + ")");

  const auto output = args.get("--output");
  if (!output) throw UsageError("synth: -o FILE.gguf is required");
  const uint64_t seed = uint64_t(args.get_int("--seed", 1, 0, LLONG_MAX));
  const int hw = int(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = int(args.get_int("--threads", hw, 1, 1024));

  const ModelSynthesizer synth(*preset, *type, seed);
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  const auto t0 = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  double last_shown = -1.0;
  ProgressFn progress;
  if (tty) {
    progress = [&](uint64_t done, uint64_t total) {
      const double s = seconds();
      if (s - last_shown < 0.2 && done < total) return;  // a few updates a second is plenty
      last_shown = s;
      fmt::print(stderr, "\rlfmb synth: {:3.0f}%  {} of {}  {:.1f} s", 100.0 * double(done) / double(total),
                 format_size(done), format_size(total), s);
      std::fflush(stderr);
    };
  }
  synth.write_file(*output, threads, progress);
  if (tty) fmt::print(stderr, "\n");
  fmt::print(stderr, "lfmb synth: wrote {} ({} {}, seed {}, {} params, {}) in {:.1f} s with {} threads\n", *output,
             preset->name, type_name, seed, param_count(count_params(synth.config())), format_size(synth.file_size()),
             seconds(), threads);
  return 0;
}

}  // namespace

Command synth_command() {
  return {{"synth",
           "lfmb synth --preset NAME [--type TYPE] [--seed N] -o FILE.gguf [--threads N] | lfmb synth --list",
           "Write a synthetic model: a preset's real shapes with seeded random weights (for throughput work).",
           {{"--preset", "NAME", "model shape (see --list)"},
            {"--type", "TYPE", std::string("matrix storage type: ") + kTypeNames + " (default q4_0)"},
            {"--seed", "N", "random seed (default 1); same preset, type and seed give identical bytes"},
            {"--output,-o", "FILE", "GGUF file to write (a file is replaced atomically; a symlink's target likewise; a device or FIFO is written in place)"},
            {"--threads", "N", "worker threads (default: all cores); does not change the bytes"},
            {"--list", "", "list the presets with parameter counts and file sizes"}},
           0,
           0},
          run_synth};
}

}  // namespace lfmb
