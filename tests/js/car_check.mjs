// Reads a CAR file with the IPFS project's own JavaScript libraries, independently of
// samizdat's Python encoder, and prints what it found as JSON:
//   node car_check.mjs SITE.car FOLDER
// - every block's bytes hash to the multihash in its CID;
// - every dag-pb block decodes, and its UnixFS data decodes;
// - the files exported from the root equal the files in FOLDER;
// - "importer_root": the root CID the JS UnixFS importer gives FOLDER with Kubo's
//   defaults (CIDv1, raw leaves, 256 KiB chunks, 174 links a node).
import { readFile, readdir, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { CarReader } from '@ipld/car'
import * as dagPB from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { sha256 } from 'multiformats/hashes/sha2'
import { MemoryBlockstore } from 'blockstore-core/memory'
import { exporter, recursive } from 'ipfs-unixfs-exporter'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'

const [carPath, folder] = process.argv.slice(2)
const reader = await CarReader.fromBytes(await readFile(carPath))
const roots = await reader.getRoots()
const store = new MemoryBlockstore()
let blocks = 0, badHash = 0, pbBlocks = 0, rawBlocks = 0
for await (const { cid, bytes } of reader.blocks()) {
  blocks++
  const digest = await sha256.digest(bytes)
  if (cid.multihash.code !== sha256.code || Buffer.compare(Buffer.from(digest.digest), Buffer.from(cid.multihash.digest)) !== 0) badHash++
  if (cid.code === dagPB.code) { const node = dagPB.decode(bytes); UnixFS.unmarshal(node.Data); pbBlocks++ }
  else if (cid.code === 0x55) rawBlocks++
  else throw new Error('unexpected codec ' + cid.code)
  await store.put(cid, bytes)
}
const exported = {}
for await (const item of recursive(roots[0], store)) {
  const entry = await exporter(item.path, store)
  if (entry.type === 'file' || entry.type === 'raw') {
    const parts = []
    for await (const chunk of entry.content()) parts.push(chunk)
    exported[item.path.split('/').slice(1).join('/')] = Buffer.concat(parts)
  }
}
async function walk (dir) {
  const out = []
  for (const name of await readdir(dir)) {
    const p = join(dir, name)
    if ((await stat(p)).isDirectory()) out.push(...await walk(p)); else out.push(p)
  }
  return out
}
const onDisk = {}
for (const p of await walk(folder)) onDisk[relative(folder, p)] = await readFile(p)
const same = Object.keys(onDisk).length === Object.keys(exported).length &&
  Object.entries(onDisk).every(([k, v]) => exported[k] && Buffer.compare(exported[k], v) === 0)
const source = Object.entries(onDisk).sort().map(([path, content]) => ({ path, content }))
let importerRoot = null
for await (const entry of importer(source, new MemoryBlockstore(), {
  cidVersion: 1, rawLeaves: true, wrapWithDirectory: true,
  chunker: fixedSize({ chunkSize: 262144 }), layout: balanced({ maxChildrenPerNode: 174 })
})) { if (entry.path === '') importerRoot = entry.cid.toString() }
console.log(JSON.stringify({
  roots: roots.map(String), blocks, bad_hash: badHash, dag_pb: pbBlocks, raw: rawBlocks,
  files_match: same, files: Object.keys(exported).sort(), importer_root: importerRoot
}))
