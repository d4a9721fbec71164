// emoji.is_emoji(ch) for one character (the `emoji` package IFBench's format:emoji uses): true when
// the character alone is a key of emoji.EMOJI_DATA, i.e. a single-code-point entry of Unicode's
// emoji-test.txt (fully-qualified, unqualified or component).
#pragma once

namespace lfmb::eval::instructions {

bool is_emoji_char(char32_t c);

}  // namespace lfmb::eval::instructions
