// Runs the exile mirror's verifier (src/samizdat/web/assets/samizdat.js) under Node,
// one JSON request a line on stdin, one JSON answer a line on stdout, so that the
// Python tests can hold it against the Python text model and alignment:
//   {"op": "normalize", "hex": "<utf-8 bytes>", "model": 1}
//     -> {"paragraphs": [...], "leaf_hashes": [...], "text_id": "..."} | {"error": "..."}
//   {"op": "align", "authentic": [...], "copy": [...], "typography_is_change": false,
//    "texts": true}  -> {"results": [<ParagraphResult.to_json()>, ...]}
//   {"op": "compare", "a": "...", "b": "..."}   -> {"kind": ..., "changes": [{from, to, kind, start}]}
//   {"op": "tokens", "text": "..."}             -> {"tokens": [[key, start, end, line_hyphen]]}
//     (offsets in code points, as Python counts them)
//   {"op": "batch", "requests": [...]}          -> {"answers": [...]}
//   {"op": "similarity", "a": "...", "b": "..."}         -> {"value": 0.5}
//   {"op": "time_normalize", "hex": "..."}               -> {"seconds": 0.01}
//   {"op": "time_align", "authentic": [...], "copy": [...]} -> {"seconds": 0.1}
//     (align() alone, hashes computed before, median of 3)
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import vm from 'node:vm'

vm.runInThisContext(readFileSync(process.argv[2], 'utf8'))
const lib = globalThis.samizdatLib

async function answer (req) {
  if (req.op === 'normalize') {
    try {
      const text = lib.decodeText(Buffer.from(req.hex, 'hex'))
      const paragraphs = lib.normalize(text, req.model)
      if (!paragraphs.length) return { error: 'empty' }
      const leaf = await lib.paragraphHashes(paragraphs)
      return { paragraphs, leaf_hashes: leaf, text_id: await lib.merkleRoot(leaf) }
    } catch (e) {
      if (e instanceof lib.TextError) return { error: e.message }
      throw e
    }
  }
  if (req.op === 'align') {
    const ah = await lib.paragraphHashes(req.authentic)
    const ch = await lib.paragraphHashes(req.copy)
    const texts = req.texts === false ? null : req.authentic
    return { results: lib.align(ah, req.copy, ch, texts, !!req.typography_is_change).map(lib.resultJson) }
  }
  if (req.op === 'compare') {
    const cmp = lib.compare(req.a, req.b)
    const cp = i => Array.from(req.a.slice(0, i)).length
    return { kind: cmp.kind, changes: cmp.changes.map(c => ({ from: c.old, to: c.new, kind: c.kind, start: cp(c.start) })) }
  }
  if (req.op === 'tokens') {
    const cp = i => Array.from(req.text.slice(0, i)).length
    return { tokens: lib.tokens(req.text).map(t => [t.key, cp(t.start), cp(t.end), t.lineHyphen]) }
  }
  if (req.op === 'batch') {
    const answers = []
    for (const r of req.requests) answers.push(await answer(r))
    return { answers }
  }
  if (req.op === 'similarity') return { value: lib.similarity(req.a, req.b) }
  if (req.op === 'time_normalize') { // seconds for normalize() alone, median of 5
    const text = lib.decodeText(Buffer.from(req.hex, 'hex'))
    const times = []
    for (let i = 0; i < 5; i++) { const t0 = performance.now(); lib.normalize(text, 1); times.push((performance.now() - t0) / 1000) }
    return { seconds: times.sort((x, y) => x - y)[2] }
  }
  if (req.op === 'time_align') {
    const ah = await lib.paragraphHashes(req.authentic)
    const ch = await lib.paragraphHashes(req.copy)
    const times = []
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now(); lib.align(ah, req.copy, ch, req.authentic, false); times.push((performance.now() - t0) / 1000)
    }
    return { seconds: times.sort((x, y) => x - y)[1] }
  }
  throw new Error('unknown op ' + req.op)
}

const rl = createInterface({ input: process.stdin })
for await (const line of rl) {
  process.stdout.write(JSON.stringify(await answer(JSON.parse(line))) + '\n')
}
