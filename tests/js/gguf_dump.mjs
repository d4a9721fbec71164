// Reads a local GGUF file with Hugging Face's independent GGUF parser (@huggingface/gguf) and
// prints its metadata and tensor infos as JSON, so tests can check lfmb's writer against it.
// Usage: node gguf_dump.mjs NODE_MODULES_DIR FILE.gguf
import { createRequire } from "node:module";
import path from "node:path";

const [modulesDir, file] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(modulesDir), "noop.js"));
const { gguf } = require("@huggingface/gguf");

const { metadata, tensorInfos } = await gguf(path.resolve(file), { allowLocalFile: true });
const plain = (v) => (typeof v === "bigint" ? Number(v) : Array.isArray(v) ? v.map(plain) : v);
const meta = {};
for (const [k, v] of Object.entries(metadata)) meta[k] = plain(v);
const tensors = tensorInfos.map((t) => ({
  name: t.name,
  dims: t.shape.map(Number),
  type: Number(t.dtype),
  offset: Number(t.offset),
}));
process.stdout.write(JSON.stringify({ metadata: meta, tensors }));
