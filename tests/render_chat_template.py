#!/usr/bin/env python3
"""Renders conversations with a real Jinja chat template, the way Hugging Face transformers does
(sandboxed environment, trim_blocks + lstrip_blocks). Used by tests/test_chat_template.cpp.

usage: render_chat_template.py TEMPLATE.jinja CASES.json OUT.json
CASES.json: [{"messages": [...], "add_generation_prompt": bool, "enable_thinking": bool|null}]
OUT.json:   list of rendered strings, same order."""
import json
import sys

from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise RuntimeError(message)


def main():
    template_path, cases_path, out_path = sys.argv[1:4]
    with open(template_path, encoding="utf-8") as f:
        source = f.read()
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    template = env.from_string(source)
    with open(cases_path, encoding="utf-8") as f:
        cases = json.load(f)
    rendered = []
    for case in cases:
        kwargs = {"messages": case["messages"], "add_generation_prompt": case["add_generation_prompt"],
                  "bos_token": case.get("bos_token", "<|startoftext|>")}
        if case.get("enable_thinking") is not None:
            kwargs["enable_thinking"] = case["enable_thinking"]
        rendered.append(template.render(**kwargs))
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(rendered, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
