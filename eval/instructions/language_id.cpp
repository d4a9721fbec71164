// langdetect.detect(text) approximated with CLD2 (libcld2, Debian's libcld2-dev 0.0.197), for
// IFEval's language:response_language and change_case:english_* (lm-eval
// tasks/ifeval/instructions.py @4e7e0d47f33b) and Multi-IF's language checks.
//
// What differs from langdetect 1.0.9 (the official dependency), and why:
//  - CLD2 is a different model (quadgram scores over its own training data, about 80 languages
//    in this build) where langdetect is a naive Bayes over character 1-3-grams of 55 Wikipedia
//    profiles, run with random restarts (the official code sets no seed, so langdetect itself
//    can answer differently for the same short or mixed text). Long single-language texts agree;
//    short, mixed or code-heavy texts can differ.
//  - Codes are mapped to langdetect's: CLD2's "iw" is "he", "zh" is "zh-cn", "zh-Hant" is
//    "zh-tw", Norwegian Nynorsk "nn" is "no"; Malay "ms" is "id" and Bosnian "bs" is "hr" (no
//    langdetect profile; those are the profiles their text falls into). Other CLD2 languages
//    without a langdetect profile keep CLD2's code (langdetect would name its nearest profile).
//  - langdetect raises LangDetectException ("No features in text") when the text, after removing
//    URLs and e-mail addresses, has no character n-gram of its profiles: in practice no letter.
//    Here: no Unicode letter (category L*) outside URLs and e-mail addresses -> nullopt.
//  - Where CLD2 finds letters but no language (UNKNOWN_LANGUAGE even with best effort), the
//    result is "un": not a langdetect code, so a language check fails (langdetect would have
//    named some language, most often not the asked one).
#include "eval/instructions/language_id.h"

#include <algorithm>
#include <cstdio>  // compact_lang_det.h uses FILE without including it

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>
#include <utf8proc.h>

#include "eval/text/py_regex.h"

namespace lfmb::eval::instructions {

namespace {

// langdetect's Detector.append removes these before extracting n-grams (detector.py URL_RE and
// MAIL_RE); replaced by a space.
std::string without_urls_and_mail(std::string_view text) {
  static const PyRegex url(R"(https?://[-_.?&~;+=/#0-9A-Za-z]{1,2076})");
  static const PyRegex mail(R"([-_.0-9A-Za-z]{1,64}@[-_0-9A-Za-z]{1,255}[-_.0-9A-Za-z]{1,255})");
  return mail.sub(url.sub(text, " "), " ");
}

bool has_letter(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t n =
        utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i), utf8proc_ssize_t(s.size() - i), &cp);
    if (n <= 0) {
      ++i;
      continue;
    }
    switch (utf8proc_category(cp)) {
      case UTF8PROC_CATEGORY_LU:
      case UTF8PROC_CATEGORY_LL:
      case UTF8PROC_CATEGORY_LT:
      case UTF8PROC_CATEGORY_LM:
      case UTF8PROC_CATEGORY_LO:
        return true;
      default:
        break;
    }
    i += size_t(n);
  }
  return false;
}

std::string to_langdetect_code(const std::string& cld2) {
  if (cld2 == "iw") return "he";
  if (cld2 == "zh") return "zh-cn";
  if (cld2 == "zh-Hant") return "zh-tw";
  if (cld2 == "nn") return "no";
  if (cld2 == "ms") return "id";
  if (cld2 == "bs") return "hr";
  return cld2;
}

}  // namespace

std::optional<std::string> detect_language(std::string_view text) {
  const std::string cleaned = without_urls_and_mail(text);
  if (!has_letter(cleaned)) return std::nullopt;
  CLD2::Language top3[3];
  int percent3[3];
  double scores3[3];
  int text_bytes = 0, valid_prefix = 0;
  bool reliable = false;
  const CLD2::CLDHints no_hints = {nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
  const CLD2::Language lang = CLD2::ExtDetectLanguageSummaryCheckUTF8(
      cleaned.data(), int(std::min<size_t>(cleaned.size(), 1u << 30)), /*is_plain_text=*/true, &no_hints,
      CLD2::kCLDFlagBestEffort, top3, percent3, scores3, /*resultchunkvector=*/nullptr, &text_bytes, &reliable,
      &valid_prefix);
  if (lang == CLD2::UNKNOWN_LANGUAGE) return std::string("un");
  return to_langdetect_code(CLD2::LanguageCode(lang));
}

}  // namespace lfmb::eval::instructions
