#!/usr/bin/python3
"""Writes ifeval_text_expected.json: what NLTK 3.8 (Debian python3-nltk) gives for the texts the
IFEval checkers split and count, with the SAME hand-written Punkt parameters as
eval/instructions/text_util.cpp (read from that file), so the test checks that the C++ port of
Punkt and of NLTK's word tokenizer decides exactly as NLTK's own code on many real texts: every
prompt of ../shared/datasets/ifeval/input_data.jsonl (by key) and the hand-written TEXTS below.
count_words is re.findall(r"\\w+") (CPython 3.11). Run: /usr/bin/python3 make_ifeval_text_expected.py
"""
import json
import os
import re

from nltk.tokenize.destructive import NLTKWordTokenizer
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = open(os.path.join(HERE, "../../eval/instructions/text_util.cpp")).read()
DATA = os.path.join(HERE, "../../../shared/datasets/ifeval/input_data.jsonl")


def words_of(function):
    body = SRC[SRC.index(function):]
    body = body[body.index("{", body.index("static const")) + 1: body.index("};")]
    return set(re.findall(r'"([^"]+)"', body))


params = PunktParameters()
params.abbrev_types = words_of("abbreviations()")
common = words_of("common_words()")
params.sent_starters = set(common)
for w in common:
    params.ortho_context[w] = (1 << 1) | (1 << 5)  # _ORTHO_BEG_UC | _ORTHO_MID_LC
punkt = PunktSentenceTokenizer(params)
treebank = NLTKWordTokenizer()

TEXTS = [
    "Sure! Here is a list:\n\n* First item. It is good.\n* Second item (see Fig. 2).\n\nP.S. Thanks, Dr. Who.",
    "THE U.S. ECONOMY GREW 3.5% IN 2023. ANALYSTS, E.G. AT J.P. MORGAN, EXPECT MORE... OR NOT?!",
    "\"Is this it?\" she asked. 'Yes.' He left at 5 p.m. on Jan. 3rd. Then nothing happened.",
    "Mr. and Mrs. Smith live on Baker St. in London. Their son, Jr., studies at the Univ. of Oxford.",
    "Section 1\nIntro text here\n\nSection 2\nMore text... and more.\n\n***\n\nThe end.",
    "I CAN'T BELIEVE IT'S NOT BUTTER! WE'RE GONNA WIN, AREN'T WE? NASA'S DATA SAYS SO.",
    "Option A. Option B. Option C.\n1. One\n2. Two\n3. Three",
    "He said: \u201cWait.\u201d Then \u2018go\u2019\u2014now! (Really.) [Sure.] {Fine.}",
    "no capitals here at all. just lowercase sentences. three of them",
    "Version 2.0.1 was released on 2024-01-31. It fixed bug #42; see https://example.com/a.b. Done.",
]


def expect(text):
    sents = punkt.tokenize(text)
    toks = [t for s in sents for t in treebank.tokenize(s)]
    return {"sentences": len(sents), "tokens": len(toks), "caps": sum(1 for t in toks if t.isupper()),
            "words": len(re.findall(r"\w+", text))}


out = {"texts": [dict(text=t, **expect(t)) for t in TEXTS], "prompts": {}}
with open(DATA) as f:
    for line in f:
        doc = json.loads(line)
        out["prompts"][str(doc["key"])] = expect(doc["prompt"])
with open(os.path.join(HERE, "ifeval_text_expected.json"), "w") as f:
    json.dump(out, f, indent=0, ensure_ascii=False)
    f.write("\n")
