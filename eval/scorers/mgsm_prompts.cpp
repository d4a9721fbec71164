// MGSM's prompts and answer prefixes, verbatim from openai/simple-evals mgsm_eval.py at
// ee3b0318d8d1 (ALL_LANGUAGES, LANG_TO_INSTRUCTIONS, LANG_TO_ANSWER_PREFIX). The instruction texts
// are the benchmark's prompt, so they are kept byte for byte, including their oddities (the
// Japanese one starts "の数学", the Bengali one ends "।.").

#include "core/error.h"
#include "eval/scorers/choice_scorers.h"

namespace lfmb::eval {

namespace {

struct MgsmLanguage {
  const char* lang;
  const char* answer_prefix;
  const char* instruction;  // with the {input} placeholder of str.format
};

const MgsmLanguage kLanguages[] = {
    {"bn", "উত্তর",
     R"mgsm(এই গণিতের সমস্যাটি সমাধান করুন। চূড়ান্ত উত্তর দেওয়ার আগে যুক্তিসম্পন্ন পদক্ষেপ প্রদান করুন। চূড়ান্ত উত্তরটি একক সংখ্যা হিসাবে "উত্তর:" এর পরে শেষ লাইনে দিন। "উত্তর:" এর পরে অন্য কিছু যুক্ত করবেন না।.

{input})mgsm"},
    {"de", "Antwort",
     R"mgsm(Löse dieses Mathematikproblem. Gib die Schritte zur Begründung an, bevor du die endgültige Antwort in der letzten Zeile alleine im Format "Antwort:" gibst. Füge nichts anderes als die ganzzahlige Antwort nach "Antwort:" hinzu.

{input})mgsm"},
    {"en", "Answer",
     R"mgsm(Solve this math problem. Give the reasoning steps before giving the final answer on the last line by itself in the format of "Answer:". Do not add anything other than the integer answer after "Answer:".

{input})mgsm"},
    {"es", "Respuesta",
     R"mgsm(Resuelve este problema matemático. Proporciona los pasos de razonamiento antes de dar la respuesta final en la última línea por sí misma en el formato de "Respuesta:". No añadas nada más que la respuesta entera después de "Respuesta:".

{input})mgsm"},
    {"fr", "Réponse",
     R"mgsm(Résolvez ce problème de mathématiques. Donnez les étapes de raisonnement avant de fournir la réponse finale sur la dernière ligne elle-même dans le format de "Réponse:". N'ajoutez rien d'autre que la réponse entière après "Réponse:".

{input})mgsm"},
    {"ja", "答え",
     R"mgsm(の数学の問題を解いてください。最終的な答えを出す前に、解答の推論過程を記述してください。そして最後の行には "答え:" の形式で答えを記述し、その後には整数の答え以外何も追加しないでください。

{input})mgsm"},
    {"ru", "Ответ",
     R"mgsm(Решите эту математическую задачу. Объясните шаги рассуждения перед тем, как дать окончательный ответ в последней строке сам по себе в формате "Ответ:". Не добавляйте ничего, кроме целочисленного ответа после "Ответ:".

{input})mgsm"},
    {"sw", "Jibu",
     R"mgsm(Suluhisha tatizo hili la hesabu. Toa hatua za mantiki kabla ya kutoa jibu la mwisho kwenye mstari wa mwisho peke yake katika muundo wa "Jibu:". Usiongeze chochote kingine isipokuwa jibu la integer baada ya "Jibu:".

{input})mgsm"},
    {"te", "సమాధానం",
     R"mgsm(ఈ గణిత సమస్యను పరిష్కరించండి. చివరి సమాధానాన్ని ఇవ్వదానికి ముందు తర్కాత్మక అదుగులను ఇవ్వండి. చివరి పంక్తిలో మాత్రమే 'సమాధానం:' అనే ఆకారంలో చివరి సమాధానాద్ని ఇవ్వండి సమాధానం: తర్వాత పూర్ణాంక సమాధానానికి తప్పించి ఎదేనా చేర్చవద్దు.

{input})mgsm"},
    {"th", "คำตอบ",
     R"mgsm(แก้ปัญหาคณิตศาสตร์นี้ ให้ให้ขั้นตอนการใช้เหตุผลก่อนที่จะให้คำตอบสุดท้ายในบรรทัดสุดท้ายโดยอยู่ในรูปแบบ "คำตอบ:" ไม่ควรเพิ่มอะไรนอกจากคำตอบที่เป็นจำนวนเต็มหลังจาก "คำตอบ:"

{input})mgsm"},
    {"zh", "答案",
     R"mgsm(解决这个数学问题。在最后一行给出答案前，请提供推理步骤。最后一行应该以 "答案: " 的形式独立给出答案。在 "答案：" 后不要添加除整数答案之外的任何内容。

{input})mgsm"},
};

const MgsmLanguage& find_language(const std::string& lang) {
  for (const MgsmLanguage& l : kLanguages)
    if (lang == l.lang) return l;
  std::string known;
  for (const MgsmLanguage& l : kLanguages) known += std::string(known.empty() ? "" : ", ") + l.lang;
  throw Error("mgsm: unknown language '" + lang + "' (known: " + known + ")");
}

}  // namespace

const std::vector<std::string>& mgsm_languages() {
  static const std::vector<std::string> langs = [] {
    std::vector<std::string> v;
    for (const MgsmLanguage& l : kLanguages) v.emplace_back(l.lang);
    return v;
  }();
  return langs;
}

std::string mgsm_answer_prefix(const std::string& lang) { return find_language(lang).answer_prefix; }
std::string mgsm_instruction(const std::string& lang) { return find_language(lang).instruction; }

}  // namespace lfmb::eval
