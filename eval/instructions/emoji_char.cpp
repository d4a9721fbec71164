// Follows emoji (carpedm20/emoji) 2.14.1, commit 5c4b9153162f (emoji/core.py is_emoji,
// emoji/unicode_codes/emoji.json: Emoji 16.0). Its single-code-point keys are exactly the code
// points with Unicode's Emoji property, except the keycap bases (# * 0-9) and the regional
// indicators (those appear in emoji-test.txt only inside sequences), checked by comparing
// emoji.json with Unicode 15.0's emoji-data.txt. ICU 72 (Debian 12) knows Emoji 15.0, so the
// seven single code points that Emoji 16.0 added are listed here; later emoji releases may add more.
#include "eval/instructions/emoji_char.h"

#include <unicode/uchar.h>

namespace lfmb::eval::instructions {

bool is_emoji_char(char32_t c) {
  if (c == '#' || c == '*' || (c >= '0' && c <= '9')) return false;
  if (c >= 0x1F1E6 && c <= 0x1F1FF) return false;  // regional indicator symbols
  switch (c) {
    // Emoji 16.0: harp, shovel, leafless tree, fingerprint, root vegetable, splatter, face with
    // bags under eyes.
    case 0x1FA89: case 0x1FA8F: case 0x1FABE: case 0x1FAC6: case 0x1FADC: case 0x1FADF: case 0x1FAE9:
      return true;
    default:
      break;
  }
  if (c > 0x10FFFF) return false;
  return u_hasBinaryProperty(UChar32(c), UCHAR_EMOJI);
}

}  // namespace lfmb::eval::instructions
