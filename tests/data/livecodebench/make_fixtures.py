# Writes the hand-made LiveCodeBench fixtures of tests/test_livecodebench.cpp (run once with
# /usr/bin/python3; the outputs are committed). Six tiny files shaped like Hugging Face
# livecodebench/code_generation_lite test.jsonl .. test6.jsonl, one problem each, whose
# private_test_cases are JSON text or base64(zlib(pickle(str))) with pickle protocols 4 and 5 (the opcodes lfmb accepts).
import base64, json, pickle, zlib

def enc(tests, protocol):
    return base64.b64encode(zlib.compress(pickle.dumps(json.dumps(tests), protocol=protocol))).decode()

def t(i, o, kind="stdin"):
    return {"input": i, "output": o, "testtype": kind}

def row(qid, title, content, platform, difficulty, starter, public, private, func=None, protocol=None):
    return {
        "question_title": title, "question_content": content, "platform": platform, "question_id": qid,
        "contest_id": qid.split("_")[0], "contest_date": "2025-01-04T00:00:00", "starter_code": starter,
        "difficulty": difficulty, "public_test_cases": json.dumps(public),
        "private_test_cases": json.dumps(private) if protocol is None else enc(private, protocol),
        "metadata": json.dumps({"func_name": func} if func else {}),
    }

rows = [
    row("abc900_a", "Sum", "Print the sum of N integers.", "atcoder", "easy", "",
        [t("3\n1 2 3\n", "6\n")], [t("1\n5\n", "5\n"), t("2\n-1 1\n", "0\n")]),
    row("abc900_b", "Average", "Print the average of N integers.", "atcoder", "medium", "",
        [t("2\n2 3\n", "2.50\n")], [t("4\n1 1 1 2\n", "1.25\n")], protocol=4),
    row("3901", "Two Sum", "Return indices of the two numbers adding up to target.", "leetcode", "easy",
        "class Solution:\n    def twoSum(self, nums: List[int], target: int) -> List[int]:\n        ",
        [t("[2, 7, 11, 15]\n9", "[0, 1]", "functional")], [t("[3, 2, 4]\n6", "[1, 2]", "functional")],
        func="twoSum", protocol=5),
    row("3902", "Min and max", "Return the minimum and the maximum of nums.", "leetcode", "hard",
        "class Solution:\n    def minMax(self, nums: List[int]) -> List[int]:\n        ",
        [t("[3, 1, 2]", "[1, 3]", "functional")],
        [t(json.dumps(list(range(i, i + 40))), json.dumps([i, i + 39]), "functional") for i in range(5)],
        func="minMax", protocol=5),
    row("abc900_e", "Lines", "Print 1..N, one per line.", "atcoder", "hard", "",
        [t("3\n", "1\n2\n3\n")], [t("1\n", "1\n")], protocol=5),
    row("abc900_f", "Even", "Print Yes if N is even, No otherwise.", "atcoder", "easy", "",
        [t("4\n", "Yes\n")], [t("7\n", "No\n"), t("10\n", "Yes\n")], protocol=4),
]
for i, r in enumerate(rows):
    name = "test.jsonl" if i == 0 else f"test{i + 1}.jsonl"
    with open(name, "w") as f:
        f.write(json.dumps(r) + "\n")
