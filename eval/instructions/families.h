// The instruction families, one file each (the part of an instruction id before ':'). Each returns
// its types; registry.cpp lists the families of each suite.
#pragma once
#include <vector>

#include "eval/instructions/instruction.h"

namespace lfmb::eval::instructions {

// IFEval (google-research instruction_following_eval; lm-eval tasks/ifeval @4e7e0d47)
std::vector<InstructionType> ifeval_change_case();
std::vector<InstructionType> ifeval_combination();
std::vector<InstructionType> ifeval_detectable_content();
std::vector<InstructionType> ifeval_detectable_format();
std::vector<InstructionType> ifeval_keywords();
std::vector<InstructionType> ifeval_language();
std::vector<InstructionType> ifeval_length_constraints();
std::vector<InstructionType> ifeval_punctuation();
std::vector<InstructionType> ifeval_startend();

// IFBench (allenai/IFBench ifbench/instructions.py)
std::vector<InstructionType> ifbench_count();     // ifbench_count.cpp
std::vector<InstructionType> ifbench_ratio();     // ifbench_ratio.cpp
std::vector<InstructionType> ifbench_sentence();  // ifbench_sentence.cpp
std::vector<InstructionType> ifbench_words();     // ifbench_words.cpp
std::vector<InstructionType> ifbench_custom();    // ifbench_custom.cpp
std::vector<InstructionType> ifbench_format();    // ifbench_format.cpp
std::vector<InstructionType> ifbench_repeat();    // ifbench_repeat.cpp

// Multi-IF (facebookresearch Multi-IF: IFEval's checkers with its own changes)
std::vector<InstructionType> multi_if_length_constraints();  // number_sentences, number_words (language-aware)
std::vector<InstructionType> multi_if_startend();            // quotation (also “…” and 「…」)

}  // namespace lfmb::eval::instructions
