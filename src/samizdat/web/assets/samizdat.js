/* samizdat's verifier for the exile mirror: the same text model, Merkle tree and
 * paragraph alignment as `samizdat verify` (src/samizdat/core/text.py, merkle.py,
 * align.py), so a page anyone can open checks a copy exactly as the command does.
 *
 * A classic script (not a module, so that it runs from file:// too), with no
 * dependency and no network access. Ed25519 and SHA-256 come from the browser's
 * WebCrypto. It defines `samizdatLib` (the pure functions, also used by the tests
 * under Node) and, in a page with the site's data, `window.samizdat` with the
 * testing contract: `verify(text)` and `selfCheck()`.
 *
 * Kept in step with the Python code by tests/unit/test_web_js.py (golden vectors and
 * generated texts) and tests/integration/test_publish_browser.py (the page itself).
 */
(function (root) {
  'use strict'

  // ------------------------------------------------------------- text model 1
  // docs/spec/text.md. Every rule is the Python one; the comments name them.

  const MAX_PARAGRAPH_BYTES = 1 << 20
  const WHITESPACE = '\t\v\f\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006' +
    '\u2007\u2008\u2009\u200a\u202f\u205f\u3000'
  const WHITESPACE_RE = new RegExp('[' + WHITESPACE + ']', 'g')
  // soft hyphen, ALM, MVS, ZWSP..RLM, bidi embeddings/overrides, word joiner and
  // invisible operators, bidi isolates and deprecated formats, BOM, tag characters
  const INVISIBLE_RE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]|\udb40[\udc01\udc20-\udc7f]/g
  const FORBIDDEN_RE = /[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]/
  const LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
  const BREAK_RE = /\n *\n(?: *\n)*/
  // text model 2: joiners kept inside words; a line end between two characters of
  // scripts written without spaces joins without one (docs/spec/text.md)
  const INVISIBLE_2_RE = /[\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]|\udb40[\udc01\udc20-\udc7f]/g
  const BREAK_2_RE = /\n[ \u200c\u200d]*\n(?:[ \u200c\u200d]*\n)*/
  const S = '\\u0e00-\\u0eff\\u1000-\\u109f\\u1780-\\u17ff\\u19e0-\\u19ff\\u2e80-\\u2fdf\\u2ff0-\\u2fff' +
    '\\u3001-\\u30ff\\u3100-\\u312f\\u3190-\\u31ff\\u3300-\\u4dbf\\u4e00-\\u9fff\\ua9e0-\\ua9ff' +
    '\\uaa60-\\uaa7f\\uf900-\\ufaff\\ufe10-\\ufe1f\\ufe30-\\ufe4f\\uff01-\\uff9f\\uffe0-\\uffe6' +
    '\\u{1b000}-\\u{1b16f}\\u{20000}-\\u{3fffd}'
  const T = '\\u2018\\u2019\\u201c\\u201d\\u2014\\u2015\\u2025\\u2026\\u00b7\\u2027\\ufe00-\\ufe0f' +
    '\\u{e0100}-\\u{e01ef}'
  const SPACELESS_BREAK_RE = new RegExp('(?<=[' + S + '][' + T + ']{0,3})\\n(?=[' + T + ']{0,3}[' + S + '])', 'gu')
  const utf8 = new TextEncoder()

  class TextError extends Error {}

  function checkText (text) {
    const wellFormed = typeof text.isWellFormed === 'function' ? text.isWellFormed() : !LONE_SURROGATE_RE.test(text)
    const bad = FORBIDDEN_RE.exec(text) || (wellFormed ? null : LONE_SURROGATE_RE.exec(text))
    if (bad) {
      const c = bad[0].codePointAt(0)
      const what = c === 0 ? 'a NUL byte' : 'control character U+' + c.toString(16).toUpperCase().padStart(4, '0')
      throw new TextError('not a text file: ' + what + ' at character ' + bad.index)
    }
  }

  function fold (raw) {
    const folded = raw.replace(/\n/g, ' ').replace(/ {2,}/g, ' ')
    return folded.replace(/^ +| +$/g, '').normalize('NFC')
  }

  function fold2 (raw) {
    if (/[^\x00-\x7f]/.test(raw)) {
      if (/[\u200c\u200d]/.test(raw)) {
        raw = raw.replace(/([\u200c\u200d])[\u200c\u200d]+/g, '$1')
        raw = raw.replace(/(?<=[ \n])[\u200c\u200d]|[\u200c\u200d](?=[ \n])/g, '')
        raw = raw.replace(/^[ \n\u200c\u200d]+|[ \n\u200c\u200d]+$/g, '')
      }
      raw = raw.replace(SPACELESS_BREAK_RE, '')
    }
    return fold(raw)
  }

  /** A text's normalized paragraphs under text model `model` (1 or 2). */
  function normalize (text, model) {
    model = model || 1
    if (model !== 1 && model !== 2) throw new TextError('text model ' + model + ' is not known to this page')
    checkText(text)
    let t = text.replace(/\r\n/g, '\n').replace(/\r/g, '\n')
    t = t.replace(model === 1 ? INVISIBLE_RE : INVISIBLE_2_RE, '').replace(WHITESPACE_RE, ' ')
    t = t.replace(/[\u0085\u2028]/g, '\n').replace(/\u2029/g, '\n\n')
    const out = []
    for (const raw of t.split(model === 1 ? BREAK_RE : BREAK_2_RE)) {
      const p = model === 1 ? fold(raw) : fold2(raw)
      if (!p) continue
      if (utf8.encode(p).length > MAX_PARAGRAPH_BYTES) {
        throw new TextError('a paragraph is larger than ' + (MAX_PARAGRAPH_BYTES / 1024) + ' KiB')
      }
      out.push(p)
    }
    return out
  }

  /** Bytes of a dropped file -> text, as the command reads a file (strict UTF-8,
   * one leading BOM dropped). */
  function decodeText (bytes) {
    let text
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch (e) {
      throw new TextError('not UTF-8 text')
    }
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  }

  // ------------------------------------------------------------ Merkle tree
  // RFC 6962: leaf SHA-256(0x00 || p), node SHA-256(0x01 || l || r).

  function subtle () {
    const c = root.crypto
    if (!c || !c.subtle) throw new Error('this browser has no WebCrypto (open the page over https, file:// or localhost)')
    return c.subtle
  }

  async function sha256 (bytes) {
    return new Uint8Array(await subtle().digest('SHA-256', bytes))
  }

  function concat (...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
    let at = 0
    for (const p of parts) { out.set(p, at); at += p.length }
    return out
  }

  function hex (bytes) {
    return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('')
  }

  function unhex (text) {
    if (!/^(?:[0-9a-f]{2})*$/.test(text)) throw new TextError('not lowercase hex')
    const out = new Uint8Array(text.length / 2)
    for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16)
    return out
  }

  async function paragraphHash (p) {
    return hex(await sha256(concat(Uint8Array.of(0), utf8.encode(p))))
  }

  /** Leaf hashes (hex) of many paragraphs, yielding to the page now and then and
   * telling `progress(done, total)`. */
  async function paragraphHashes (paragraphs, progress) {
    const out = new Array(paragraphs.length)
    const batch = 512
    for (let i = 0; i < paragraphs.length; i += batch) {
      const part = paragraphs.slice(i, i + batch)
      const hs = await Promise.all(part.map(paragraphHash))
      for (let k = 0; k < hs.length; k++) out[i + k] = hs[k]
      if (progress) progress(Math.min(paragraphs.length, i + batch), paragraphs.length)
      if (i + batch < paragraphs.length) await new Promise(resolve => setTimeout(resolve, 0))
    }
    return out
  }

  async function merkleRoot (leavesHex) {
    if (!leavesHex.length) throw new TextError('a text has at least one paragraph')
    let level = leavesHex.map(unhex)
    async function rootOf (lo, hi) {
      const n = hi - lo
      if (n === 1) return level[lo]
      let k = 1
      while (k * 2 < n) k *= 2
      return sha256(concat(Uint8Array.of(1), await rootOf(lo, lo + k), await rootOf(lo + k, hi)))
    }
    return hex(await rootOf(0, level.length))
  }

  // -------------------------------------------------------------- statement
  // core/statement.py: the exact signed text, parsed strictly.

  function parseStatement (text) {
    if (!text.endsWith('\n')) throw new TextError('statement does not end with a newline')
    const lines = text.slice(0, -1).split('\n')
    const keys = ['samizdat-statement', 'document', 'title', 'version', 'text-id', 'text-sha256', 'paragraphs']
    if (lines.length < 9) throw new TextError('statement is truncated')
    const v = {}
    keys.forEach((key, i) => {
      if (!lines[i].startsWith(key + ': ')) throw new TextError("statement: expected the '" + key + ":' line")
      v[key] = lines[i].slice(key.length + 2)
    })
    if (v['samizdat-statement'] !== '1') throw new TextError('statement version not supported')
    const count = Number(v.paragraphs)
    if (!/^[1-9][0-9]*$/.test(v.paragraphs) || lines.length !== 8 + count) throw new TextError('statement: bad paragraph count')
    const hashes = []
    for (let i = 1; i <= count; i++) {
      const line = lines[6 + i]
      const m = /^p ([0-9]+) ([0-9a-f]{64})$/.exec(line)
      if (!m || Number(m[1]) !== i) throw new TextError('statement: expected paragraph line ' + i)
      hashes.push(m[2])
    }
    if (lines[lines.length - 1] !== 'final') throw new TextError("statement does not end with 'final'")
    for (const k of ['document', 'version', 'text-id', 'text-sha256']) {
      if (!/^[0-9a-f]{64}$/.test(v[k])) throw new TextError('statement: ' + k + ' is not 64 hex characters')
    }
    return { document: v.document, title: unescapeTitle(v.title), version: v.version, textId: v['text-id'], textSha256: v['text-sha256'], hashes }
  }

  function unescapeTitle (text) {
    return text.replace(/\\(\\|u[0-9a-f]{4})/g, (_, e) => e === '\\' ? '\\' : String.fromCharCode(parseInt(e.slice(1), 16)))
  }

  async function ed25519Verify (publicKeyHex, message, signatureHex) {
    const key = await subtle().importKey('raw', unhex(publicKeyHex), { name: 'Ed25519' }, false, ['verify'])
    return subtle().verify({ name: 'Ed25519' }, key, unhex(signatureHex), message)
  }

  // --------------------------------------------------------------- difflib
  // The parts of Python's difflib.SequenceMatcher (isjunk=None, autojunk=False)
  // that align.similarity uses: ratio() and quick_ratio(), over arrays of strings.

  function matchingTotal (a, b) {
    const b2j = new Map()
    b.forEach((x, j) => { const l = b2j.get(x); if (l) l.push(j); else b2j.set(x, [j]) })
    function longest (alo, ahi, blo, bhi) {
      let besti = alo; let bestj = blo; let bestsize = 0
      let j2len = new Map()
      for (let i = alo; i < ahi; i++) {
        const next = new Map()
        for (const j of b2j.get(a[i]) || []) {
          if (j < blo) continue
          if (j >= bhi) break
          const k = (j2len.get(j - 1) || 0) + 1
          next.set(j, k)
          if (k > bestsize) { besti = i - k + 1; bestj = j - k + 1; bestsize = k }
        }
        j2len = next
      }
      while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) { besti--; bestj--; bestsize++ }
      while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] === b[bestj + bestsize]) bestsize++
      return [besti, bestj, bestsize]
    }
    let total = 0
    const queue = [[0, a.length, 0, b.length]]
    while (queue.length) {
      const [alo, ahi, blo, bhi] = queue.pop()
      const [i, j, k] = longest(alo, ahi, blo, bhi)
      if (k) {
        total += k
        if (alo < i && blo < j) queue.push([alo, i, blo, j])
        if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi])
      }
    }
    return total
  }

  function ratioOf (matches, length) { return length ? 2.0 * matches / length : 1.0 }

  function quickRatio (a, b) {
    const full = new Map()
    for (const x of b) full.set(x, (full.get(x) || 0) + 1)
    const avail = new Map()
    let matches = 0
    for (const x of a) {
      const n = avail.has(x) ? avail.get(x) : (full.get(x) || 0)
      avail.set(x, n - 1)
      if (n > 0) matches++
    }
    return ratioOf(matches, a.length + b.length)
  }

  // --------------------------------------------------------------- align.py

  const CHANGED_SIMILARITY = 0.5
  const UNKNOWN_SIMILARITY = 0.3
  const LCS_CELL_LIMIT = 1000000
  const GAP_PAIR_LIMIT = 10000
  const EXACT_RATIO_WORDS = 1000

  function similarity (a, b) {
    if (a === b) return 1.0
    const wa = a.split(' '); const wb = b.split(' ')
    let sa, sb
    if (wa.length < 12 && wb.length < 12 && cpLength(a) + cpLength(b) < 400) {
      sa = Array.from(a); sb = Array.from(b)
    } else { sa = wa; sb = wb }
    const quick = quickRatio(sa, sb)
    if (quick < CHANGED_SIMILARITY || Math.max(sa.length, sb.length) > EXACT_RATIO_WORDS) return quick
    return ratioOf(matchingTotal(sa, sb), sa.length + sb.length)
  }

  function cpLength (s) { let n = 0; for (const _ of s) n++; return n } // eslint-disable-line no-unused-vars

  function shingles (paragraphs) {
    const out = new Set()
    for (const p of paragraphs) {
      const w = p.split(' ')
      if (w.length < 3) out.add(w.join('\u0000'))
      else for (let i = 0; i + 2 < w.length; i++) out.add(w[i] + '\u0000' + w[i + 1] + '\u0000' + w[i + 2])
    }
    return out
  }

  function textSimilarity (copy, authentic) {
    const sc = shingles(copy)
    if (!sc.size) return 0.0
    const sa = shingles(authentic)
    let n = 0
    for (const s of sc) if (sa.has(s)) n++
    return n / sc.size
  }

  function bisectLeft (xs, x) {
    let lo = 0; let hi = xs.length
    while (lo < hi) { const mid = (lo + hi) >> 1; if (xs[mid] < x) lo = mid + 1; else hi = mid }
    return lo
  }

  function lis (pairs) {
    const tails = []; const tailIdx = []; const back = new Array(pairs.length).fill(-1)
    pairs.forEach(([, j], k) => {
      const pos = bisectLeft(tails, j)
      if (pos === tails.length) { tails.push(j); tailIdx.push(k) } else { tails[pos] = j; tailIdx[pos] = k }
      back[k] = pos ? tailIdx[pos - 1] : -1
    })
    const out = []
    let k = tailIdx.length ? tailIdx[tailIdx.length - 1] : -1
    while (k >= 0) { out.push(pairs[k]); k = back[k] }
    return out.reverse()
  }

  function dpLcs (a, b, alo, ahi, blo, bhi) {
    const n = ahi - alo; const m = bhi - blo
    const table = Array.from({ length: n + 1 }, () => new Int32Array(m + 1))
    for (let i = n - 1; i >= 0; i--) {
      const row = table[i]; const below = table[i + 1]; const ai = a[alo + i]
      for (let j = m - 1; j >= 0; j--) {
        row[j] = ai === b[blo + j] ? below[j + 1] + 1 : Math.max(below[j], row[j + 1])
      }
    }
    const out = []
    let i = 0; let j = 0
    while (i < n && j < m) {
      if (a[alo + i] === b[blo + j]) { out.push([alo + i, blo + j]); i++; j++ } else if (table[i + 1][j] >= table[i][j + 1]) i++
      else j++
    }
    return out
  }

  function counter (xs, lo, hi) {
    const c = new Map()
    for (let i = lo; i < hi; i++) c.set(xs[i], (c.get(xs[i]) || 0) + 1)
    return c
  }

  function common (a, b) {
    const found = []
    const work = [[0, a.length, 0, b.length]]
    let budget = 32 * (a.length + b.length) + LCS_CELL_LIMIT
    while (work.length && budget > 0) {
      let [alo, ahi, blo, bhi] = work.pop()
      budget -= (ahi - alo) + (bhi - blo)
      while (alo < ahi && blo < bhi && a[alo] === b[blo]) { found.push([alo, blo]); alo++; blo++ }
      while (alo < ahi && blo < bhi && a[ahi - 1] === b[bhi - 1]) { ahi--; bhi--; found.push([ahi, bhi]) }
      if (alo === ahi || blo === bhi) continue
      const ca = counter(a, alo, ahi); const cb = counter(b, blo, bhi)
      const whereB = new Map()
      for (let j = blo; j < bhi; j++) if (cb.get(b[j]) === 1) whereB.set(b[j], j)
      const uniq = []
      for (let i = alo; i < ahi; i++) if (ca.get(a[i]) === 1 && whereB.has(a[i])) uniq.push([i, whereB.get(a[i])])
      const anchors = lis(uniq)
      if (anchors.length) {
        found.push(...anchors)
        const edges = [[alo - 1, blo - 1], ...anchors, [ahi, bhi]]
        for (let e = 0; e + 1 < edges.length; e++) {
          const [i0, j0] = edges[e]; const [i1, j1] = edges[e + 1]
          if (i1 - i0 > 1 && j1 - j0 > 1) work.push([i0 + 1, i1, j0 + 1, j1])
        }
      } else if ((ahi - alo) * (bhi - blo) <= Math.min(LCS_CELL_LIMIT, budget) && [...ca.keys()].some(x => cb.has(x))) {
        budget -= (ahi - alo) * (bhi - blo)
        found.push(...dpLcs(a, b, alo, ahi, blo, bhi))
      }
    }
    found.sort((x, y) => x[0] - y[0] || x[1] - y[1])
    return found
  }

  function pairGap (aTexts, cTexts) {
    const n = aTexts.length; const m = cTexts.length
    const sim = aTexts.map(x => cTexts.map(y => similarity(x, y)))
    const best = Array.from({ length: n + 1 }, () => new Float64Array(m + 1))
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        const take = sim[i][j] >= CHANGED_SIMILARITY ? sim[i][j] + best[i + 1][j + 1] : -1.0
        best[i][j] = Math.max(take, best[i + 1][j], best[i][j + 1])
      }
    }
    const out = []
    let i = 0; let j = 0
    while (i < n && j < m) {
      const s = sim[i][j]
      if (s >= CHANGED_SIMILARITY && best[i][j] === s + best[i + 1][j + 1]) { out.push([i, j]); i++; j++ } else if (best[i][j] === best[i + 1][j]) i++
      else j++
    }
    return out
  }

  function fillGap (a0, a1, c0, c1, authenticTexts, copy, out) {
    const na = a1 - a0; const nc = c1 - c0
    if (!na && !nc) return
    let pairs
    if (na && nc && authenticTexts && na * nc <= GAP_PAIR_LIMIT) pairs = pairGap(authenticTexts.slice(a0, a1), copy.slice(c0, c1))
    else if (na === nc) pairs = Array.from({ length: na }, (_, k) => [k, k])
    else pairs = []
    let i = 0; let j = 0
    for (const [pi, pj] of [...pairs, [na, nc]]) {
      while (i < pi) { out.push({ index: a0 + i + 1, status: 'missing', copy_index: null }); i++ }
      while (j < pj) { out.push({ index: a0 + i, status: 'added', copy_index: c0 + j + 1 }); j++ }
      if (pi < na) { out.push({ index: a0 + pi + 1, status: 'changed', copy_index: c0 + pj + 1 }); i = pi + 1; j = pj + 1 }
    }
  }

  /** align.align: one verdict per authentic paragraph and per added copy paragraph. */
  function align (authenticHashes, copy, copyHashes, authenticTexts) {
    const ids = new Map()
    const id = h => { if (!ids.has(h)) ids.set(h, ids.size); return ids.get(h) }
    const a = authenticHashes.map(id); const c = copyHashes.map(id)
    const out = []
    let ai = 0; let ci = 0
    for (const [i, j] of [...common(a, c), [a.length, c.length]]) {
      fillGap(ai, i, ci, j, authenticTexts, copy, out)
      if (i < a.length) out.push({ index: i + 1, status: 'same', copy_index: j + 1 })
      ai = i + 1; ci = j + 1
    }
    return out
  }

  /** Does the copy come from this version? align.best_match with one candidate. */
  function matches (copy, copyHashes, authenticHashes, authenticTexts) {
    const theirs = counter(authenticHashes, 0, authenticHashes.length)
    const mine = counter(copyHashes, 0, copyHashes.length)
    let commonCount = 0
    for (const [h, n] of mine) commonCount += Math.min(n, theirs.get(h) || 0)
    if (commonCount > 0) return true
    return textSimilarity(copy, authenticTexts) >= UNKNOWN_SIMILARITY
  }

  /** The `samizdat --json verify` report of `text` against one signed version
   * (`site`: its statement, paragraphs and committee key). */
  async function verifyAgainst (text, site, progress) {
    const copy = normalize(text, site.model)
    const copyHashes = await paragraphHashes(copy, progress)
    const hashes = site.statement.hashes
    if (!copy.length || !matches(copy, copyHashes, hashes, site.paragraphs)) {
      return { status: 'unknown', version: null, signers: [], paragraphs: [] }
    }
    const results = align(hashes, copy, copyHashes, site.paragraphs)
    const exact = results.length > 0 && results.every(r => r.status === 'same')
    return {
      status: exact ? 'authentic' : 'altered',
      version: site.statement.version,
      signers: [{ kind: 'committee', key: site.groupKey, trusted: true }],
      paragraphs: results.map(r => ({ index: r.index, status: r.status }))
    }
  }

  const lib = {
    TextError, normalize, decodeText, paragraphHash, paragraphHashes, merkleRoot, sha256, hex, unhex,
    parseStatement, ed25519Verify, similarity, textSimilarity, align, verifyAgainst
  }
  root.samizdatLib = lib

  // ----------------------------------------------------- the page's contract
  // site-data.js sets `samizdatSite` = {statement, signature, group_key, model,
  // text}; index.html shows the text in <article id="text"> as one <p> a paragraph.

  if (root.samizdatSite && root.document) {
    const data = root.samizdatSite
    let sitePromise = null
    function site () {
      if (!sitePromise) {
        sitePromise = (async () => {
          const statement = parseStatement(data.statement)
          return { statement, model: data.model, groupKey: data.group_key, paragraphs: normalize(data.text, data.model) }
        })()
      }
      return sitePromise
    }
    root.samizdat = {
      /** Same JSON as `samizdat --json verify` for this copy against this site's version. */
      async verify (text, progress) { return verifyAgainst(text, await site(), progress) },
      /** Does the committee's signature hold over the statement, and is the text
       * this page shows the one it signed (paragraph hashes and Merkle root)? */
      async selfCheck () {
        let signature = false; let merkle = false
        try {
          const s = await site()
          signature = await ed25519Verify(data.group_key, utf8.encode(data.statement), data.signature)
          const shown = Array.from(root.document.querySelectorAll('#text > p'), p => p.textContent)
          const article = root.document.getElementById('text')
          const hashes = await paragraphHashes(shown.map(p => normalize(p, data.model).join(' ')))
          const sameText = article && article.children.length === shown.length &&
            shown.every(p => normalize(p, data.model).length === 1)
          const dataHashes = await paragraphHashes(s.paragraphs)
          const textSha = hex(await sha256(utf8.encode(s.paragraphs.join('\n\n') + '\n')))
          merkle = sameText && textSha === s.statement.textSha256 && hashes.length === s.statement.hashes.length &&
            hashes.every((h, i) => h === s.statement.hashes[i] && dataHashes[i] === h) &&
            (await merkleRoot(hashes)) === s.statement.textId &&
            root.document.title === s.statement.title
        } catch (e) {
          if (!(e instanceof TextError) && !(e instanceof DOMException)) throw e
        }
        return { signature, merkle }
      }
    }
  }
})(typeof window !== 'undefined' ? window : globalThis)
