#!/usr/bin/env python3
"""Writes tokenizer_corpus.json: hand-written strings covering the tricky parts of byte-level BPE
(whitespace runs, CRLF, digits, contractions, scripts without spaces, emoji sequences, combining
accents that NFC changes, special tokens), plus variants of each (leading space, upper case,
wrapped in text). Re-run after editing BASE; the JSON is committed so the test needs no Python."""
import json
import os

BASE = [
    # English prose and punctuation
    "Hello world", "Hello, world!", "The quick brown fox jumps over the lazy dog.",
    "It was the best of times, it was the worst of times.", "Wait... what?!", "(parenthetical) [bracketed] {braced}",
    "e-mail: someone@example.com", "https://example.org/path?query=1&x=y#frag", "Mr. Smith went to Washington.",
    "\"quoted\" and 'single quoted'", "semi;colon:colon", "a/b\\c|d", "100% sure", "#hashtag @mention",
    # contractions (the pattern's case-insensitive 's 't 're 've 'm 'll 'd)
    "I'm", "you're", "they've", "we'll", "she'd", "it's", "don't", "DON'T", "WE'LL", "She'S", "I'M", "You'Re",
    "rock 'n' roll", "the '90s", "'tis", "o'clock", "James's book", "students' papers",
    # numbers
    "0", "7", "42", "123", "1234", "12345678901234567890", "3.14159", "-273.15", "1,000,000", "1e-10", "0x1F",
    "v1.2.3", "2024-01-31", "12:30:45", "$19.99", "€5", "½ cup", "٣٤٥", "१२३", "一二三", "Ⅻ",
    # whitespace
    " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", "\r\n\r\n", " \n ", "a  b", "a   b", "a\tb", "a\t\tb",
    "line1\nline2", "line1\r\nline2\r\n", "trailing   ", "   leading", "  both  ", "mixed \t \n whitespace",
    "\u00a0non-breaking\u00a0space", "ideographic\u3000space", "\u2003em space", "a\u2028b",
    # code
    "def f(x):\n    return x * 2\n", "for (int i = 0; i < n; ++i) {\n\tsum += a[i];\n}",
    "if x == 1 and y != 2:", "const auto& [k, v] = *it;", "<div class=\"a\">text</div>", "SELECT * FROM t WHERE id = 3;",
    "print(\"hello\")", "x += 1  # comment", "std::vector<int> v{1, 2, 3};", "lambda x: x**2", "#include <stdio.h>",
    "fn main() -> Result<(), Box<dyn Error>> {}", "    indented = True", "\t\tdeeply\n\t\t\tnested", "a=>b", "a->b", "a::b",
    "snake_case_name", "camelCaseName", "PascalCaseName", "kebab-case-name", "SCREAMING_SNAKE", "__dunder__",
    # CJK, Korean, Thai
    "日本語のテキスト", "中文测试：你好，世界！", "東京は日本の首都です。", "한국어 문장입니다", "สวัสดีครับ",
    "漢字とひらがなとカタカナ", "你好world混合", "全角ＡＢＣ１２３",
    # Arabic, Hebrew, Devanagari, Cyrillic, Greek
    "مرحبا بالعالم", "السلام عليكم", "שלום עולם", "नमस्ते दुनिया", "हिन्दी भाषा", "Привет, мир!", "Съешь же ещё этих булок",
    "Γειά σου Κόσμε", "Ελληνικά",
    # emoji
    "😀", "emoji 😀🎉👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "👍🏿", "❤️", "🇫🇷🇯🇵", "1️⃣", "🧑🏽‍💻 coding", "smile😊smile",
    # accents: precomposed and combining (NFC changes the latter)
    "naïve café résumé", "Ünïcödé ümlauts", "e\u0301", "cafe\u0301", "nai\u0308ve", "A\u030a", "\u00c5", "o\u0302\u0323",
    "Zu\u0308rich", "n\u0303", "Ω vs \u2126", "ﬁ ligature", "ḱ\u0301", "a\u0300\u0301\u0302",
    # special tokens and look-alikes
    "<|im_start|>user\nHi<|im_end|>\n", "<|im_start|>assistant\n", "<|endoftext|>", "text<|endoftext|>more",
    "<|im_end|><|im_end|>", "<|im_start", "im_start|>", "< |im_start| >", "<think>\nreasoning\n</think>\n\nanswer",
    "<tool_call>\n{\"name\": \"f\"}\n</tool_call>",
    # repetition and oddities
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "ababababababababab", "!!!???...", "-----", "=====", "....",
    "~~~", "***bold***", "_italic_", "`code`", "```python\nx = 1\n```", "©®™", "°C", "±", "→ ← ↑ ↓", "∑∫√∞",
    "mixed123abc456", "ALLCAPS", "lowercase", "MiXeD cAsE", "x", "",
]


def variants(s):
    yield s
    yield " " + s
    yield s.upper()
    yield "Prefix: " + s + " (suffix)"


def main():
    seen, out = set(), []
    for s in BASE:
        for v in variants(s):
            if v not in seen:
                seen.add(v)
                out.append(v)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tokenizer_corpus.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=0)
        f.write("\n")
    print(f"{len(BASE)} base strings, {len(out)} in the corpus")


if __name__ == "__main__":
    main()
