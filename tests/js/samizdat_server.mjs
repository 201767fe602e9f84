// Runs the exile mirror's verifier (src/samizdat/web/assets/samizdat.js) under Node,
// one JSON request a line on stdin, one JSON answer a line on stdout, so that the
// Python tests can hold it against the Python text model and alignment:
//   {"op": "normalize", "hex": "<utf-8 bytes>", "model": 1}
//     -> {"paragraphs": [...], "leaf_hashes": [...], "text_id": "..."} | {"error": "..."}
//   {"op": "align", "authentic": [...], "copy": [...]}  -> {"results": [...]}
//   {"op": "similarity", "a": "...", "b": "..."}         -> {"value": 0.5}
//   {"op": "time_normalize", "hex": "..."}               -> {"seconds": 0.01}
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
    return { results: lib.align(ah, req.copy, ch, req.authentic) }
  }
  if (req.op === 'similarity') return { value: lib.similarity(req.a, req.b) }
  if (req.op === 'time_normalize') { // seconds for normalize() alone, median of 5
    const text = lib.decodeText(Buffer.from(req.hex, 'hex'))
    const times = []
    for (let i = 0; i < 5; i++) { const t0 = performance.now(); lib.normalize(text, 1); times.push((performance.now() - t0) / 1000) }
    return { seconds: times.sort((x, y) => x - y)[2] }
  }
  throw new Error('unknown op ' + req.op)
}

const rl = createInterface({ input: process.stdin })
for await (const line of rl) {
  process.stdout.write(JSON.stringify(await answer(JSON.parse(line))) + '\n')
}
