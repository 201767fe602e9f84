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

  // ----------------------------------------------------------------- tables
  // Python's Unicode database (str.isalnum, \w, \s, categories) and the folding
  // tables of core/words.py, generated from the Python modules themselves (the
  // browser's ICU may know another Unicode version). Do not edit by hand.

  // BEGIN GENERATED by tests/js/gen_tables.py from core/words.py, align.py, lcs.py
  const TABLES = JSON.parse(
    "{\"ALNUM\":\"\\\\u{30}-\\\\u{39}\\\\u{41}-\\\\u{5a}\\\\u{61}-\\\\u{7a}\\\\u{aa}\\\\u{b2}-\\\\u{b3}\\\\u{b5}\\\\u{b9}-\\\\u{ba}\\" +
    "\\u{bc}-\\\\u{be}\\\\u{c0}-\\\\u{d6}\\\\u{d8}-\\\\u{f6}\\\\u{f8}-\\\\u{2c1}\\\\u{2c6}-\\\\u{2d1}\\\\u{2e0}-\\\\u{2e4}\\\\u{2e" +
    "c}\\\\u{2ee}\\\\u{370}-\\\\u{374}\\\\u{376}-\\\\u{377}\\\\u{37a}-\\\\u{37d}\\\\u{37f}\\\\u{386}\\\\u{388}-\\\\u{38a}\\\\u{38" +
    "c}\\\\u{38e}-\\\\u{3a1}\\\\u{3a3}-\\\\u{3f5}\\\\u{3f7}-\\\\u{481}\\\\u{48a}-\\\\u{52f}\\\\u{531}-\\\\u{556}\\\\u{559}\\\\u{5" +
    "60}-\\\\u{588}\\\\u{5d0}-\\\\u{5ea}\\\\u{5ef}-\\\\u{5f2}\\\\u{620}-\\\\u{64a}\\\\u{660}-\\\\u{669}\\\\u{66e}-\\\\u{66f}\\\\u" +
    "{671}-\\\\u{6d3}\\\\u{6d5}\\\\u{6e5}-\\\\u{6e6}\\\\u{6ee}-\\\\u{6fc}\\\\u{6ff}\\\\u{710}\\\\u{712}-\\\\u{72f}\\\\u{74d}-\\\\" +
    "u{7a5}\\\\u{7b1}\\\\u{7c0}-\\\\u{7ea}\\\\u{7f4}-\\\\u{7f5}\\\\u{7fa}\\\\u{800}-\\\\u{815}\\\\u{81a}\\\\u{824}\\\\u{828}\\\\u" +
    "{840}-\\\\u{858}\\\\u{860}-\\\\u{86a}\\\\u{870}-\\\\u{887}\\\\u{889}-\\\\u{88e}\\\\u{8a0}-\\\\u{8c9}\\\\u{904}-\\\\u{939}\\" +
    "\\u{93d}\\\\u{950}\\\\u{958}-\\\\u{961}\\\\u{966}-\\\\u{96f}\\\\u{971}-\\\\u{980}\\\\u{985}-\\\\u{98c}\\\\u{98f}-\\\\u{990}" +
    "\\\\u{993}-\\\\u{9a8}\\\\u{9aa}-\\\\u{9b0}\\\\u{9b2}\\\\u{9b6}-\\\\u{9b9}\\\\u{9bd}\\\\u{9ce}\\\\u{9dc}-\\\\u{9dd}\\\\u{9df}" +
    "-\\\\u{9e1}\\\\u{9e6}-\\\\u{9f1}\\\\u{9f4}-\\\\u{9f9}\\\\u{9fc}\\\\u{a05}-\\\\u{a0a}\\\\u{a0f}-\\\\u{a10}\\\\u{a13}-\\\\u{a2" +
    "8}\\\\u{a2a}-\\\\u{a30}\\\\u{a32}-\\\\u{a33}\\\\u{a35}-\\\\u{a36}\\\\u{a38}-\\\\u{a39}\\\\u{a59}-\\\\u{a5c}\\\\u{a5e}\\\\u{a" +
    "66}-\\\\u{a6f}\\\\u{a72}-\\\\u{a74}\\\\u{a85}-\\\\u{a8d}\\\\u{a8f}-\\\\u{a91}\\\\u{a93}-\\\\u{aa8}\\\\u{aaa}-\\\\u{ab0}\\\\u" +
    "{ab2}-\\\\u{ab3}\\\\u{ab5}-\\\\u{ab9}\\\\u{abd}\\\\u{ad0}\\\\u{ae0}-\\\\u{ae1}\\\\u{ae6}-\\\\u{aef}\\\\u{af9}\\\\u{b05}-\\\\" +
    "u{b0c}\\\\u{b0f}-\\\\u{b10}\\\\u{b13}-\\\\u{b28}\\\\u{b2a}-\\\\u{b30}\\\\u{b32}-\\\\u{b33}\\\\u{b35}-\\\\u{b39}\\\\u{b3d}\\" +
    "\\u{b5c}-\\\\u{b5d}\\\\u{b5f}-\\\\u{b61}\\\\u{b66}-\\\\u{b6f}\\\\u{b71}-\\\\u{b77}\\\\u{b83}\\\\u{b85}-\\\\u{b8a}\\\\u{b8e}" +
    "-\\\\u{b90}\\\\u{b92}-\\\\u{b95}\\\\u{b99}-\\\\u{b9a}\\\\u{b9c}\\\\u{b9e}-\\\\u{b9f}\\\\u{ba3}-\\\\u{ba4}\\\\u{ba8}-\\\\u{ba" +
    "a}\\\\u{bae}-\\\\u{bb9}\\\\u{bd0}\\\\u{be6}-\\\\u{bf2}\\\\u{c05}-\\\\u{c0c}\\\\u{c0e}-\\\\u{c10}\\\\u{c12}-\\\\u{c28}\\\\u{c" +
    "2a}-\\\\u{c39}\\\\u{c3d}\\\\u{c58}-\\\\u{c5a}\\\\u{c5d}\\\\u{c60}-\\\\u{c61}\\\\u{c66}-\\\\u{c6f}\\\\u{c78}-\\\\u{c7e}\\\\u{" +
    "c80}\\\\u{c85}-\\\\u{c8c}\\\\u{c8e}-\\\\u{c90}\\\\u{c92}-\\\\u{ca8}\\\\u{caa}-\\\\u{cb3}\\\\u{cb5}-\\\\u{cb9}\\\\u{cbd}\\\\u" +
    "{cdd}-\\\\u{cde}\\\\u{ce0}-\\\\u{ce1}\\\\u{ce6}-\\\\u{cef}\\\\u{cf1}-\\\\u{cf2}\\\\u{d04}-\\\\u{d0c}\\\\u{d0e}-\\\\u{d10}\\" +
    "\\u{d12}-\\\\u{d3a}\\\\u{d3d}\\\\u{d4e}\\\\u{d54}-\\\\u{d56}\\\\u{d58}-\\\\u{d61}\\\\u{d66}-\\\\u{d78}\\\\u{d7a}-\\\\u{d7f}" +
    "\\\\u{d85}-\\\\u{d96}\\\\u{d9a}-\\\\u{db1}\\\\u{db3}-\\\\u{dbb}\\\\u{dbd}\\\\u{dc0}-\\\\u{dc6}\\\\u{de6}-\\\\u{def}\\\\u{e01" +
    "}-\\\\u{e30}\\\\u{e32}-\\\\u{e33}\\\\u{e40}-\\\\u{e46}\\\\u{e50}-\\\\u{e59}\\\\u{e81}-\\\\u{e82}\\\\u{e84}\\\\u{e86}-\\\\u{e" +
    "8a}\\\\u{e8c}-\\\\u{ea3}\\\\u{ea5}\\\\u{ea7}-\\\\u{eb0}\\\\u{eb2}-\\\\u{eb3}\\\\u{ebd}\\\\u{ec0}-\\\\u{ec4}\\\\u{ec6}\\\\u{e" +
    "d0}-\\\\u{ed9}\\\\u{edc}-\\\\u{edf}\\\\u{f00}\\\\u{f20}-\\\\u{f33}\\\\u{f40}-\\\\u{f47}\\\\u{f49}-\\\\u{f6c}\\\\u{f88}-\\\\u" +
    "{f8c}\\\\u{1000}-\\\\u{102a}\\\\u{103f}-\\\\u{1049}\\\\u{1050}-\\\\u{1055}\\\\u{105a}-\\\\u{105d}\\\\u{1061}\\\\u{1065}-" +
    "\\\\u{1066}\\\\u{106e}-\\\\u{1070}\\\\u{1075}-\\\\u{1081}\\\\u{108e}\\\\u{1090}-\\\\u{1099}\\\\u{10a0}-\\\\u{10c5}\\\\u{10" +
    "c7}\\\\u{10cd}\\\\u{10d0}-\\\\u{10fa}\\\\u{10fc}-\\\\u{1248}\\\\u{124a}-\\\\u{124d}\\\\u{1250}-\\\\u{1256}\\\\u{1258}\\\\u" +
    "{125a}-\\\\u{125d}\\\\u{1260}-\\\\u{1288}\\\\u{128a}-\\\\u{128d}\\\\u{1290}-\\\\u{12b0}\\\\u{12b2}-\\\\u{12b5}\\\\u{12b8" +
    "}-\\\\u{12be}\\\\u{12c0}\\\\u{12c2}-\\\\u{12c5}\\\\u{12c8}-\\\\u{12d6}\\\\u{12d8}-\\\\u{1310}\\\\u{1312}-\\\\u{1315}\\\\u{" +
    "1318}-\\\\u{135a}\\\\u{1369}-\\\\u{137c}\\\\u{1380}-\\\\u{138f}\\\\u{13a0}-\\\\u{13f5}\\\\u{13f8}-\\\\u{13fd}\\\\u{1401}" +
    "-\\\\u{166c}\\\\u{166f}-\\\\u{167f}\\\\u{1681}-\\\\u{169a}\\\\u{16a0}-\\\\u{16ea}\\\\u{16ee}-\\\\u{16f8}\\\\u{1700}-\\\\u{" +
    "1711}\\\\u{171f}-\\\\u{1731}\\\\u{1740}-\\\\u{1751}\\\\u{1760}-\\\\u{176c}\\\\u{176e}-\\\\u{1770}\\\\u{1780}-\\\\u{17b3}" +
    "\\\\u{17d7}\\\\u{17dc}\\\\u{17e0}-\\\\u{17e9}\\\\u{17f0}-\\\\u{17f9}\\\\u{1810}-\\\\u{1819}\\\\u{1820}-\\\\u{1878}\\\\u{18" +
    "80}-\\\\u{1884}\\\\u{1887}-\\\\u{18a8}\\\\u{18aa}\\\\u{18b0}-\\\\u{18f5}\\\\u{1900}-\\\\u{191e}\\\\u{1946}-\\\\u{196d}\\\\" +
    "u{1970}-\\\\u{1974}\\\\u{1980}-\\\\u{19ab}\\\\u{19b0}-\\\\u{19c9}\\\\u{19d0}-\\\\u{19da}\\\\u{1a00}-\\\\u{1a16}\\\\u{1a2" +
    "0}-\\\\u{1a54}\\\\u{1a80}-\\\\u{1a89}\\\\u{1a90}-\\\\u{1a99}\\\\u{1aa7}\\\\u{1b05}-\\\\u{1b33}\\\\u{1b45}-\\\\u{1b4c}\\\\u" +
    "{1b50}-\\\\u{1b59}\\\\u{1b83}-\\\\u{1ba0}\\\\u{1bae}-\\\\u{1be5}\\\\u{1c00}-\\\\u{1c23}\\\\u{1c40}-\\\\u{1c49}\\\\u{1c4d" +
    "}-\\\\u{1c7d}\\\\u{1c80}-\\\\u{1c88}\\\\u{1c90}-\\\\u{1cba}\\\\u{1cbd}-\\\\u{1cbf}\\\\u{1ce9}-\\\\u{1cec}\\\\u{1cee}-\\\\u" +
    "{1cf3}\\\\u{1cf5}-\\\\u{1cf6}\\\\u{1cfa}\\\\u{1d00}-\\\\u{1dbf}\\\\u{1e00}-\\\\u{1f15}\\\\u{1f18}-\\\\u{1f1d}\\\\u{1f20}" +
    "-\\\\u{1f45}\\\\u{1f48}-\\\\u{1f4d}\\\\u{1f50}-\\\\u{1f57}\\\\u{1f59}\\\\u{1f5b}\\\\u{1f5d}\\\\u{1f5f}-\\\\u{1f7d}\\\\u{1f" +
    "80}-\\\\u{1fb4}\\\\u{1fb6}-\\\\u{1fbc}\\\\u{1fbe}\\\\u{1fc2}-\\\\u{1fc4}\\\\u{1fc6}-\\\\u{1fcc}\\\\u{1fd0}-\\\\u{1fd3}\\\\" +
    "u{1fd6}-\\\\u{1fdb}\\\\u{1fe0}-\\\\u{1fec}\\\\u{1ff2}-\\\\u{1ff4}\\\\u{1ff6}-\\\\u{1ffc}\\\\u{2070}-\\\\u{2071}\\\\u{207" +
    "4}-\\\\u{2079}\\\\u{207f}-\\\\u{2089}\\\\u{2090}-\\\\u{209c}\\\\u{2102}\\\\u{2107}\\\\u{210a}-\\\\u{2113}\\\\u{2115}\\\\u{" +
    "2119}-\\\\u{211d}\\\\u{2124}\\\\u{2126}\\\\u{2128}\\\\u{212a}-\\\\u{212d}\\\\u{212f}-\\\\u{2139}\\\\u{213c}-\\\\u{213f}\\" +
    "\\u{2145}-\\\\u{2149}\\\\u{214e}\\\\u{2150}-\\\\u{2189}\\\\u{2460}-\\\\u{249b}\\\\u{24ea}-\\\\u{24ff}\\\\u{2776}-\\\\u{27" +
    "93}\\\\u{2c00}-\\\\u{2ce4}\\\\u{2ceb}-\\\\u{2cee}\\\\u{2cf2}-\\\\u{2cf3}\\\\u{2cfd}\\\\u{2d00}-\\\\u{2d25}\\\\u{2d27}\\\\u" +
    "{2d2d}\\\\u{2d30}-\\\\u{2d67}\\\\u{2d6f}\\\\u{2d80}-\\\\u{2d96}\\\\u{2da0}-\\\\u{2da6}\\\\u{2da8}-\\\\u{2dae}\\\\u{2db0}" +
    "-\\\\u{2db6}\\\\u{2db8}-\\\\u{2dbe}\\\\u{2dc0}-\\\\u{2dc6}\\\\u{2dc8}-\\\\u{2dce}\\\\u{2dd0}-\\\\u{2dd6}\\\\u{2dd8}-\\\\u{" +
    "2dde}\\\\u{2e2f}\\\\u{3005}-\\\\u{3007}\\\\u{3021}-\\\\u{3029}\\\\u{3031}-\\\\u{3035}\\\\u{3038}-\\\\u{303c}\\\\u{3041}-" +
    "\\\\u{3096}\\\\u{309d}-\\\\u{309f}\\\\u{30a1}-\\\\u{30fa}\\\\u{30fc}-\\\\u{30ff}\\\\u{3105}-\\\\u{312f}\\\\u{3131}-\\\\u{3" +
    "18e}\\\\u{3192}-\\\\u{3195}\\\\u{31a0}-\\\\u{31bf}\\\\u{31f0}-\\\\u{31ff}\\\\u{3220}-\\\\u{3229}\\\\u{3248}-\\\\u{324f}\\" +
    "\\u{3251}-\\\\u{325f}\\\\u{3280}-\\\\u{3289}\\\\u{32b1}-\\\\u{32bf}\\\\u{3400}-\\\\u{4dbf}\\\\u{4e00}-\\\\u{a48c}\\\\u{a4" +
    "d0}-\\\\u{a4fd}\\\\u{a500}-\\\\u{a60c}\\\\u{a610}-\\\\u{a62b}\\\\u{a640}-\\\\u{a66e}\\\\u{a67f}-\\\\u{a69d}\\\\u{a6a0}-\\" +
    "\\u{a6ef}\\\\u{a717}-\\\\u{a71f}\\\\u{a722}-\\\\u{a788}\\\\u{a78b}-\\\\u{a7ca}\\\\u{a7d0}-\\\\u{a7d1}\\\\u{a7d3}\\\\u{a7d" +
    "5}-\\\\u{a7d9}\\\\u{a7f2}-\\\\u{a801}\\\\u{a803}-\\\\u{a805}\\\\u{a807}-\\\\u{a80a}\\\\u{a80c}-\\\\u{a822}\\\\u{a830}-\\\\" +
    "u{a835}\\\\u{a840}-\\\\u{a873}\\\\u{a882}-\\\\u{a8b3}\\\\u{a8d0}-\\\\u{a8d9}\\\\u{a8f2}-\\\\u{a8f7}\\\\u{a8fb}\\\\u{a8fd" +
    "}-\\\\u{a8fe}\\\\u{a900}-\\\\u{a925}\\\\u{a930}-\\\\u{a946}\\\\u{a960}-\\\\u{a97c}\\\\u{a984}-\\\\u{a9b2}\\\\u{a9cf}-\\\\u" +
    "{a9d9}\\\\u{a9e0}-\\\\u{a9e4}\\\\u{a9e6}-\\\\u{a9fe}\\\\u{aa00}-\\\\u{aa28}\\\\u{aa40}-\\\\u{aa42}\\\\u{aa44}-\\\\u{aa4b" +
    "}\\\\u{aa50}-\\\\u{aa59}\\\\u{aa60}-\\\\u{aa76}\\\\u{aa7a}\\\\u{aa7e}-\\\\u{aaaf}\\\\u{aab1}\\\\u{aab5}-\\\\u{aab6}\\\\u{a" +
    "ab9}-\\\\u{aabd}\\\\u{aac0}\\\\u{aac2}\\\\u{aadb}-\\\\u{aadd}\\\\u{aae0}-\\\\u{aaea}\\\\u{aaf2}-\\\\u{aaf4}\\\\u{ab01}-\\" +
    "\\u{ab06}\\\\u{ab09}-\\\\u{ab0e}\\\\u{ab11}-\\\\u{ab16}\\\\u{ab20}-\\\\u{ab26}\\\\u{ab28}-\\\\u{ab2e}\\\\u{ab30}-\\\\u{ab" +
    "5a}\\\\u{ab5c}-\\\\u{ab69}\\\\u{ab70}-\\\\u{abe2}\\\\u{abf0}-\\\\u{abf9}\\\\u{ac00}-\\\\u{d7a3}\\\\u{d7b0}-\\\\u{d7c6}\\\\" +
    "u{d7cb}-\\\\u{d7fb}\\\\u{f900}-\\\\u{fa6d}\\\\u{fa70}-\\\\u{fad9}\\\\u{fb00}-\\\\u{fb06}\\\\u{fb13}-\\\\u{fb17}\\\\u{fb1" +
    "d}\\\\u{fb1f}-\\\\u{fb28}\\\\u{fb2a}-\\\\u{fb36}\\\\u{fb38}-\\\\u{fb3c}\\\\u{fb3e}\\\\u{fb40}-\\\\u{fb41}\\\\u{fb43}-\\\\u" +
    "{fb44}\\\\u{fb46}-\\\\u{fbb1}\\\\u{fbd3}-\\\\u{fd3d}\\\\u{fd50}-\\\\u{fd8f}\\\\u{fd92}-\\\\u{fdc7}\\\\u{fdf0}-\\\\u{fdfb" +
    "}\\\\u{fe70}-\\\\u{fe74}\\\\u{fe76}-\\\\u{fefc}\\\\u{ff10}-\\\\u{ff19}\\\\u{ff21}-\\\\u{ff3a}\\\\u{ff41}-\\\\u{ff5a}\\\\u{" +
    "ff66}-\\\\u{ffbe}\\\\u{ffc2}-\\\\u{ffc7}\\\\u{ffca}-\\\\u{ffcf}\\\\u{ffd2}-\\\\u{ffd7}\\\\u{ffda}-\\\\u{ffdc}\\\\u{10000" +
    "}-\\\\u{1000b}\\\\u{1000d}-\\\\u{10026}\\\\u{10028}-\\\\u{1003a}\\\\u{1003c}-\\\\u{1003d}\\\\u{1003f}-\\\\u{1004d}\\\\u{" +
    "10050}-\\\\u{1005d}\\\\u{10080}-\\\\u{100fa}\\\\u{10107}-\\\\u{10133}\\\\u{10140}-\\\\u{10178}\\\\u{1018a}-\\\\u{1018b" +
    "}\\\\u{10280}-\\\\u{1029c}\\\\u{102a0}-\\\\u{102d0}\\\\u{102e1}-\\\\u{102fb}\\\\u{10300}-\\\\u{10323}\\\\u{1032d}-\\\\u{" +
    "1034a}\\\\u{10350}-\\\\u{10375}\\\\u{10380}-\\\\u{1039d}\\\\u{103a0}-\\\\u{103c3}\\\\u{103c8}-\\\\u{103cf}\\\\u{103d1}" +
    "-\\\\u{103d5}\\\\u{10400}-\\\\u{1049d}\\\\u{104a0}-\\\\u{104a9}\\\\u{104b0}-\\\\u{104d3}\\\\u{104d8}-\\\\u{104fb}\\\\u{1" +
    "0500}-\\\\u{10527}\\\\u{10530}-\\\\u{10563}\\\\u{10570}-\\\\u{1057a}\\\\u{1057c}-\\\\u{1058a}\\\\u{1058c}-\\\\u{10592}" +
    "\\\\u{10594}-\\\\u{10595}\\\\u{10597}-\\\\u{105a1}\\\\u{105a3}-\\\\u{105b1}\\\\u{105b3}-\\\\u{105b9}\\\\u{105bb}-\\\\u{1" +
    "05bc}\\\\u{10600}-\\\\u{10736}\\\\u{10740}-\\\\u{10755}\\\\u{10760}-\\\\u{10767}\\\\u{10780}-\\\\u{10785}\\\\u{10787}-" +
    "\\\\u{107b0}\\\\u{107b2}-\\\\u{107ba}\\\\u{10800}-\\\\u{10805}\\\\u{10808}\\\\u{1080a}-\\\\u{10835}\\\\u{10837}-\\\\u{10" +
    "838}\\\\u{1083c}\\\\u{1083f}-\\\\u{10855}\\\\u{10858}-\\\\u{10876}\\\\u{10879}-\\\\u{1089e}\\\\u{108a7}-\\\\u{108af}\\\\" +
    "u{108e0}-\\\\u{108f2}\\\\u{108f4}-\\\\u{108f5}\\\\u{108fb}-\\\\u{1091b}\\\\u{10920}-\\\\u{10939}\\\\u{10980}-\\\\u{109" +
    "b7}\\\\u{109bc}-\\\\u{109cf}\\\\u{109d2}-\\\\u{10a00}\\\\u{10a10}-\\\\u{10a13}\\\\u{10a15}-\\\\u{10a17}\\\\u{10a19}-\\\\" +
    "u{10a35}\\\\u{10a40}-\\\\u{10a48}\\\\u{10a60}-\\\\u{10a7e}\\\\u{10a80}-\\\\u{10a9f}\\\\u{10ac0}-\\\\u{10ac7}\\\\u{10ac" +
    "9}-\\\\u{10ae4}\\\\u{10aeb}-\\\\u{10aef}\\\\u{10b00}-\\\\u{10b35}\\\\u{10b40}-\\\\u{10b55}\\\\u{10b58}-\\\\u{10b72}\\\\u" +
    "{10b78}-\\\\u{10b91}\\\\u{10ba9}-\\\\u{10baf}\\\\u{10c00}-\\\\u{10c48}\\\\u{10c80}-\\\\u{10cb2}\\\\u{10cc0}-\\\\u{10cf" +
    "2}\\\\u{10cfa}-\\\\u{10d23}\\\\u{10d30}-\\\\u{10d39}\\\\u{10e60}-\\\\u{10e7e}\\\\u{10e80}-\\\\u{10ea9}\\\\u{10eb0}-\\\\u" +
    "{10eb1}\\\\u{10f00}-\\\\u{10f27}\\\\u{10f30}-\\\\u{10f45}\\\\u{10f51}-\\\\u{10f54}\\\\u{10f70}-\\\\u{10f81}\\\\u{10fb0" +
    "}-\\\\u{10fcb}\\\\u{10fe0}-\\\\u{10ff6}\\\\u{11003}-\\\\u{11037}\\\\u{11052}-\\\\u{1106f}\\\\u{11071}-\\\\u{11072}\\\\u{" +
    "11075}\\\\u{11083}-\\\\u{110af}\\\\u{110d0}-\\\\u{110e8}\\\\u{110f0}-\\\\u{110f9}\\\\u{11103}-\\\\u{11126}\\\\u{11136}" +
    "-\\\\u{1113f}\\\\u{11144}\\\\u{11147}\\\\u{11150}-\\\\u{11172}\\\\u{11176}\\\\u{11183}-\\\\u{111b2}\\\\u{111c1}-\\\\u{11" +
    "1c4}\\\\u{111d0}-\\\\u{111da}\\\\u{111dc}\\\\u{111e1}-\\\\u{111f4}\\\\u{11200}-\\\\u{11211}\\\\u{11213}-\\\\u{1122b}\\\\" +
    "u{11280}-\\\\u{11286}\\\\u{11288}\\\\u{1128a}-\\\\u{1128d}\\\\u{1128f}-\\\\u{1129d}\\\\u{1129f}-\\\\u{112a8}\\\\u{112b" +
    "0}-\\\\u{112de}\\\\u{112f0}-\\\\u{112f9}\\\\u{11305}-\\\\u{1130c}\\\\u{1130f}-\\\\u{11310}\\\\u{11313}-\\\\u{11328}\\\\u" +
    "{1132a}-\\\\u{11330}\\\\u{11332}-\\\\u{11333}\\\\u{11335}-\\\\u{11339}\\\\u{1133d}\\\\u{11350}\\\\u{1135d}-\\\\u{11361" +
    "}\\\\u{11400}-\\\\u{11434}\\\\u{11447}-\\\\u{1144a}\\\\u{11450}-\\\\u{11459}\\\\u{1145f}-\\\\u{11461}\\\\u{11480}-\\\\u{" +
    "114af}\\\\u{114c4}-\\\\u{114c5}\\\\u{114c7}\\\\u{114d0}-\\\\u{114d9}\\\\u{11580}-\\\\u{115ae}\\\\u{115d8}-\\\\u{115db}" +
    "\\\\u{11600}-\\\\u{1162f}\\\\u{11644}\\\\u{11650}-\\\\u{11659}\\\\u{11680}-\\\\u{116aa}\\\\u{116b8}\\\\u{116c0}-\\\\u{11" +
    "6c9}\\\\u{11700}-\\\\u{1171a}\\\\u{11730}-\\\\u{1173b}\\\\u{11740}-\\\\u{11746}\\\\u{11800}-\\\\u{1182b}\\\\u{118a0}-\\" +
    "\\u{118f2}\\\\u{118ff}-\\\\u{11906}\\\\u{11909}\\\\u{1190c}-\\\\u{11913}\\\\u{11915}-\\\\u{11916}\\\\u{11918}-\\\\u{119" +
    "2f}\\\\u{1193f}\\\\u{11941}\\\\u{11950}-\\\\u{11959}\\\\u{119a0}-\\\\u{119a7}\\\\u{119aa}-\\\\u{119d0}\\\\u{119e1}\\\\u{" +
    "119e3}\\\\u{11a00}\\\\u{11a0b}-\\\\u{11a32}\\\\u{11a3a}\\\\u{11a50}\\\\u{11a5c}-\\\\u{11a89}\\\\u{11a9d}\\\\u{11ab0}-\\" +
    "\\u{11af8}\\\\u{11c00}-\\\\u{11c08}\\\\u{11c0a}-\\\\u{11c2e}\\\\u{11c40}\\\\u{11c50}-\\\\u{11c6c}\\\\u{11c72}-\\\\u{11c" +
    "8f}\\\\u{11d00}-\\\\u{11d06}\\\\u{11d08}-\\\\u{11d09}\\\\u{11d0b}-\\\\u{11d30}\\\\u{11d46}\\\\u{11d50}-\\\\u{11d59}\\\\u" +
    "{11d60}-\\\\u{11d65}\\\\u{11d67}-\\\\u{11d68}\\\\u{11d6a}-\\\\u{11d89}\\\\u{11d98}\\\\u{11da0}-\\\\u{11da9}\\\\u{11ee0" +
    "}-\\\\u{11ef2}\\\\u{11fb0}\\\\u{11fc0}-\\\\u{11fd4}\\\\u{12000}-\\\\u{12399}\\\\u{12400}-\\\\u{1246e}\\\\u{12480}-\\\\u{" +
    "12543}\\\\u{12f90}-\\\\u{12ff0}\\\\u{13000}-\\\\u{1342e}\\\\u{14400}-\\\\u{14646}\\\\u{16800}-\\\\u{16a38}\\\\u{16a40}" +
    "-\\\\u{16a5e}\\\\u{16a60}-\\\\u{16a69}\\\\u{16a70}-\\\\u{16abe}\\\\u{16ac0}-\\\\u{16ac9}\\\\u{16ad0}-\\\\u{16aed}\\\\u{1" +
    "6b00}-\\\\u{16b2f}\\\\u{16b40}-\\\\u{16b43}\\\\u{16b50}-\\\\u{16b59}\\\\u{16b5b}-\\\\u{16b61}\\\\u{16b63}-\\\\u{16b77}" +
    "\\\\u{16b7d}-\\\\u{16b8f}\\\\u{16e40}-\\\\u{16e96}\\\\u{16f00}-\\\\u{16f4a}\\\\u{16f50}\\\\u{16f93}-\\\\u{16f9f}\\\\u{16" +
    "fe0}-\\\\u{16fe1}\\\\u{16fe3}\\\\u{17000}-\\\\u{187f7}\\\\u{18800}-\\\\u{18cd5}\\\\u{18d00}-\\\\u{18d08}\\\\u{1aff0}-\\" +
    "\\u{1aff3}\\\\u{1aff5}-\\\\u{1affb}\\\\u{1affd}-\\\\u{1affe}\\\\u{1b000}-\\\\u{1b122}\\\\u{1b150}-\\\\u{1b152}\\\\u{1b1" +
    "64}-\\\\u{1b167}\\\\u{1b170}-\\\\u{1b2fb}\\\\u{1bc00}-\\\\u{1bc6a}\\\\u{1bc70}-\\\\u{1bc7c}\\\\u{1bc80}-\\\\u{1bc88}\\\\" +
    "u{1bc90}-\\\\u{1bc99}\\\\u{1d2e0}-\\\\u{1d2f3}\\\\u{1d360}-\\\\u{1d378}\\\\u{1d400}-\\\\u{1d454}\\\\u{1d456}-\\\\u{1d4" +
    "9c}\\\\u{1d49e}-\\\\u{1d49f}\\\\u{1d4a2}\\\\u{1d4a5}-\\\\u{1d4a6}\\\\u{1d4a9}-\\\\u{1d4ac}\\\\u{1d4ae}-\\\\u{1d4b9}\\\\u" +
    "{1d4bb}\\\\u{1d4bd}-\\\\u{1d4c3}\\\\u{1d4c5}-\\\\u{1d505}\\\\u{1d507}-\\\\u{1d50a}\\\\u{1d50d}-\\\\u{1d514}\\\\u{1d516" +
    "}-\\\\u{1d51c}\\\\u{1d51e}-\\\\u{1d539}\\\\u{1d53b}-\\\\u{1d53e}\\\\u{1d540}-\\\\u{1d544}\\\\u{1d546}\\\\u{1d54a}-\\\\u{" +
    "1d550}\\\\u{1d552}-\\\\u{1d6a5}\\\\u{1d6a8}-\\\\u{1d6c0}\\\\u{1d6c2}-\\\\u{1d6da}\\\\u{1d6dc}-\\\\u{1d6fa}\\\\u{1d6fc}" +
    "-\\\\u{1d714}\\\\u{1d716}-\\\\u{1d734}\\\\u{1d736}-\\\\u{1d74e}\\\\u{1d750}-\\\\u{1d76e}\\\\u{1d770}-\\\\u{1d788}\\\\u{1" +
    "d78a}-\\\\u{1d7a8}\\\\u{1d7aa}-\\\\u{1d7c2}\\\\u{1d7c4}-\\\\u{1d7cb}\\\\u{1d7ce}-\\\\u{1d7ff}\\\\u{1df00}-\\\\u{1df1e}" +
    "\\\\u{1e100}-\\\\u{1e12c}\\\\u{1e137}-\\\\u{1e13d}\\\\u{1e140}-\\\\u{1e149}\\\\u{1e14e}\\\\u{1e290}-\\\\u{1e2ad}\\\\u{1e" +
    "2c0}-\\\\u{1e2eb}\\\\u{1e2f0}-\\\\u{1e2f9}\\\\u{1e7e0}-\\\\u{1e7e6}\\\\u{1e7e8}-\\\\u{1e7eb}\\\\u{1e7ed}-\\\\u{1e7ee}\\" +
    "\\u{1e7f0}-\\\\u{1e7fe}\\\\u{1e800}-\\\\u{1e8c4}\\\\u{1e8c7}-\\\\u{1e8cf}\\\\u{1e900}-\\\\u{1e943}\\\\u{1e94b}\\\\u{1e9" +
    "50}-\\\\u{1e959}\\\\u{1ec71}-\\\\u{1ecab}\\\\u{1ecad}-\\\\u{1ecaf}\\\\u{1ecb1}-\\\\u{1ecb4}\\\\u{1ed01}-\\\\u{1ed2d}\\\\" +
    "u{1ed2f}-\\\\u{1ed3d}\\\\u{1ee00}-\\\\u{1ee03}\\\\u{1ee05}-\\\\u{1ee1f}\\\\u{1ee21}-\\\\u{1ee22}\\\\u{1ee24}\\\\u{1ee2" +
    "7}\\\\u{1ee29}-\\\\u{1ee32}\\\\u{1ee34}-\\\\u{1ee37}\\\\u{1ee39}\\\\u{1ee3b}\\\\u{1ee42}\\\\u{1ee47}\\\\u{1ee49}\\\\u{1e" +
    "e4b}\\\\u{1ee4d}-\\\\u{1ee4f}\\\\u{1ee51}-\\\\u{1ee52}\\\\u{1ee54}\\\\u{1ee57}\\\\u{1ee59}\\\\u{1ee5b}\\\\u{1ee5d}\\\\u{" +
    "1ee5f}\\\\u{1ee61}-\\\\u{1ee62}\\\\u{1ee64}\\\\u{1ee67}-\\\\u{1ee6a}\\\\u{1ee6c}-\\\\u{1ee72}\\\\u{1ee74}-\\\\u{1ee77}" +
    "\\\\u{1ee79}-\\\\u{1ee7c}\\\\u{1ee7e}\\\\u{1ee80}-\\\\u{1ee89}\\\\u{1ee8b}-\\\\u{1ee9b}\\\\u{1eea1}-\\\\u{1eea3}\\\\u{1e" +
    "ea5}-\\\\u{1eea9}\\\\u{1eeab}-\\\\u{1eebb}\\\\u{1f100}-\\\\u{1f10c}\\\\u{1fbf0}-\\\\u{1fbf9}\\\\u{20000}-\\\\u{2a6df}\\" +
    "\\u{2a700}-\\\\u{2b738}\\\\u{2b740}-\\\\u{2b81d}\\\\u{2b820}-\\\\u{2cea1}\\\\u{2ceb0}-\\\\u{2ebe0}\\\\u{2f800}-\\\\u{2f" +
    "a1d}\\\\u{30000}-\\\\u{3134a}\",\"CHANGED_SIMILARITY\":0.5,\"DASHES\":\"\\\\u{2d}\\\\u{2010}-\\\\u{2015}\\\\u{2212}\\\\u" +
    "{fe58}\\\\u{fe63}\\\\u{ff0d}\",\"EXACT_RATIO_WORDS\":1000,\"FULLWIDTH\":\"\\\\u{3000}\\\\u{ff01}-\\\\u{ff5e}\",\"GAP_P" +
    "AIR_LIMIT\":10000,\"HOMOGLYPHS\":{\"\\u0391\":\"A\",\"\\u0392\":\"B\",\"\\u0395\":\"E\",\"\\u0396\":\"Z\",\"\\u0397\":\"H\",\"\\u0" +
    "399\":\"I\",\"\\u039a\":\"K\",\"\\u039c\":\"M\",\"\\u039d\":\"N\",\"\\u039f\":\"O\",\"\\u03a1\":\"P\",\"\\u03a4\":\"T\",\"\\u03a5\":\"Y\"," +
    "\"\\u03a7\":\"X\",\"\\u03b1\":\"a\",\"\\u03b9\":\"i\",\"\\u03ba\":\"k\",\"\\u03bd\":\"v\",\"\\u03bf\":\"o\",\"\\u03c1\":\"p\",\"\\u03c4\":" +
    "\"t\",\"\\u0405\":\"S\",\"\\u0406\":\"I\",\"\\u0408\":\"J\",\"\\u0410\":\"A\",\"\\u0412\":\"B\",\"\\u0415\":\"E\",\"\\u041a\":\"K\",\"\\u04" +
    "1c\":\"M\",\"\\u041d\":\"H\",\"\\u041e\":\"O\",\"\\u0420\":\"P\",\"\\u0421\":\"C\",\"\\u0422\":\"T\",\"\\u0423\":\"Y\",\"\\u0425\":\"X\",\"" +
    "\\u0430\":\"a\",\"\\u0435\":\"e\",\"\\u043e\":\"o\",\"\\u0440\":\"p\",\"\\u0441\":\"c\",\"\\u0443\":\"y\",\"\\u0445\":\"x\",\"\\u0455\":\"" +
    "s\",\"\\u0456\":\"i\",\"\\u0458\":\"j\",\"\\u0501\":\"d\",\"\\u050c\":\"G\",\"\\u051b\":\"q\",\"\\u051d\":\"w\"},\"LCS_CELL_LIMIT\":1" +
    "000000,\"LIGATURES\":\"\\\\u{132}-\\\\u{133}\\\\u{1c4}-\\\\u{1cc}\\\\u{fb00}-\\\\u{fb06}\\\\u{fb13}-\\\\u{fb17}\",\"MARKS" +
    "\":\"\\\\u{300}-\\\\u{36f}\\\\u{483}-\\\\u{489}\\\\u{591}-\\\\u{5bd}\\\\u{5bf}\\\\u{5c1}-\\\\u{5c2}\\\\u{5c4}-\\\\u{5c5}\\\\u{" +
    "5c7}\\\\u{610}-\\\\u{61a}\\\\u{64b}-\\\\u{65f}\\\\u{670}\\\\u{6d6}-\\\\u{6dc}\\\\u{6df}-\\\\u{6e4}\\\\u{6e7}-\\\\u{6e8}\\\\u" +
    "{6ea}-\\\\u{6ed}\\\\u{711}\\\\u{730}-\\\\u{74a}\\\\u{7a6}-\\\\u{7b0}\\\\u{7eb}-\\\\u{7f3}\\\\u{7fd}\\\\u{816}-\\\\u{819}\\\\" +
    "u{81b}-\\\\u{823}\\\\u{825}-\\\\u{827}\\\\u{829}-\\\\u{82d}\\\\u{859}-\\\\u{85b}\\\\u{898}-\\\\u{89f}\\\\u{8ca}-\\\\u{8e1}" +
    "\\\\u{8e3}-\\\\u{903}\\\\u{93a}-\\\\u{93c}\\\\u{93e}-\\\\u{94f}\\\\u{951}-\\\\u{957}\\\\u{962}-\\\\u{963}\\\\u{981}-\\\\u{98" +
    "3}\\\\u{9bc}\\\\u{9be}-\\\\u{9c4}\\\\u{9c7}-\\\\u{9c8}\\\\u{9cb}-\\\\u{9cd}\\\\u{9d7}\\\\u{9e2}-\\\\u{9e3}\\\\u{9fe}\\\\u{a0" +
    "1}-\\\\u{a03}\\\\u{a3c}\\\\u{a3e}-\\\\u{a42}\\\\u{a47}-\\\\u{a48}\\\\u{a4b}-\\\\u{a4d}\\\\u{a51}\\\\u{a70}-\\\\u{a71}\\\\u{a" +
    "75}\\\\u{a81}-\\\\u{a83}\\\\u{abc}\\\\u{abe}-\\\\u{ac5}\\\\u{ac7}-\\\\u{ac9}\\\\u{acb}-\\\\u{acd}\\\\u{ae2}-\\\\u{ae3}\\\\u{" +
    "afa}-\\\\u{aff}\\\\u{b01}-\\\\u{b03}\\\\u{b3c}\\\\u{b3e}-\\\\u{b44}\\\\u{b47}-\\\\u{b48}\\\\u{b4b}-\\\\u{b4d}\\\\u{b55}-\\\\" +
    "u{b57}\\\\u{b62}-\\\\u{b63}\\\\u{b82}\\\\u{bbe}-\\\\u{bc2}\\\\u{bc6}-\\\\u{bc8}\\\\u{bca}-\\\\u{bcd}\\\\u{bd7}\\\\u{c00}-\\" +
    "\\u{c04}\\\\u{c3c}\\\\u{c3e}-\\\\u{c44}\\\\u{c46}-\\\\u{c48}\\\\u{c4a}-\\\\u{c4d}\\\\u{c55}-\\\\u{c56}\\\\u{c62}-\\\\u{c63}" +
    "\\\\u{c81}-\\\\u{c83}\\\\u{cbc}\\\\u{cbe}-\\\\u{cc4}\\\\u{cc6}-\\\\u{cc8}\\\\u{cca}-\\\\u{ccd}\\\\u{cd5}-\\\\u{cd6}\\\\u{ce2" +
    "}-\\\\u{ce3}\\\\u{d00}-\\\\u{d03}\\\\u{d3b}-\\\\u{d3c}\\\\u{d3e}-\\\\u{d44}\\\\u{d46}-\\\\u{d48}\\\\u{d4a}-\\\\u{d4d}\\\\u{d" +
    "57}\\\\u{d62}-\\\\u{d63}\\\\u{d81}-\\\\u{d83}\\\\u{dca}\\\\u{dcf}-\\\\u{dd4}\\\\u{dd6}\\\\u{dd8}-\\\\u{ddf}\\\\u{df2}-\\\\u{" +
    "df3}\\\\u{e31}\\\\u{e34}-\\\\u{e3a}\\\\u{e47}-\\\\u{e4e}\\\\u{eb1}\\\\u{eb4}-\\\\u{ebc}\\\\u{ec8}-\\\\u{ecd}\\\\u{f18}-\\\\u" +
    "{f19}\\\\u{f35}\\\\u{f37}\\\\u{f39}\\\\u{f3e}-\\\\u{f3f}\\\\u{f71}-\\\\u{f84}\\\\u{f86}-\\\\u{f87}\\\\u{f8d}-\\\\u{f97}\\\\u" +
    "{f99}-\\\\u{fbc}\\\\u{fc6}\\\\u{102b}-\\\\u{103e}\\\\u{1056}-\\\\u{1059}\\\\u{105e}-\\\\u{1060}\\\\u{1062}-\\\\u{1064}\\\\" +
    "u{1067}-\\\\u{106d}\\\\u{1071}-\\\\u{1074}\\\\u{1082}-\\\\u{108d}\\\\u{108f}\\\\u{109a}-\\\\u{109d}\\\\u{135d}-\\\\u{135" +
    "f}\\\\u{1712}-\\\\u{1715}\\\\u{1732}-\\\\u{1734}\\\\u{1752}-\\\\u{1753}\\\\u{1772}-\\\\u{1773}\\\\u{17b4}-\\\\u{17d3}\\\\u" +
    "{17dd}\\\\u{180b}-\\\\u{180d}\\\\u{180f}\\\\u{1885}-\\\\u{1886}\\\\u{18a9}\\\\u{1920}-\\\\u{192b}\\\\u{1930}-\\\\u{193b}" +
    "\\\\u{1a17}-\\\\u{1a1b}\\\\u{1a55}-\\\\u{1a5e}\\\\u{1a60}-\\\\u{1a7c}\\\\u{1a7f}\\\\u{1ab0}-\\\\u{1ace}\\\\u{1b00}-\\\\u{1" +
    "b04}\\\\u{1b34}-\\\\u{1b44}\\\\u{1b6b}-\\\\u{1b73}\\\\u{1b80}-\\\\u{1b82}\\\\u{1ba1}-\\\\u{1bad}\\\\u{1be6}-\\\\u{1bf3}\\" +
    "\\u{1c24}-\\\\u{1c37}\\\\u{1cd0}-\\\\u{1cd2}\\\\u{1cd4}-\\\\u{1ce8}\\\\u{1ced}\\\\u{1cf4}\\\\u{1cf7}-\\\\u{1cf9}\\\\u{1dc" +
    "0}-\\\\u{1dff}\\\\u{20d0}-\\\\u{20f0}\\\\u{2cef}-\\\\u{2cf1}\\\\u{2d7f}\\\\u{2de0}-\\\\u{2dff}\\\\u{302a}-\\\\u{302f}\\\\u" +
    "{3099}-\\\\u{309a}\\\\u{a66f}-\\\\u{a672}\\\\u{a674}-\\\\u{a67d}\\\\u{a69e}-\\\\u{a69f}\\\\u{a6f0}-\\\\u{a6f1}\\\\u{a802" +
    "}\\\\u{a806}\\\\u{a80b}\\\\u{a823}-\\\\u{a827}\\\\u{a82c}\\\\u{a880}-\\\\u{a881}\\\\u{a8b4}-\\\\u{a8c5}\\\\u{a8e0}-\\\\u{a" +
    "8f1}\\\\u{a8ff}\\\\u{a926}-\\\\u{a92d}\\\\u{a947}-\\\\u{a953}\\\\u{a980}-\\\\u{a983}\\\\u{a9b3}-\\\\u{a9c0}\\\\u{a9e5}\\\\" +
    "u{aa29}-\\\\u{aa36}\\\\u{aa43}\\\\u{aa4c}-\\\\u{aa4d}\\\\u{aa7b}-\\\\u{aa7d}\\\\u{aab0}\\\\u{aab2}-\\\\u{aab4}\\\\u{aab7" +
    "}-\\\\u{aab8}\\\\u{aabe}-\\\\u{aabf}\\\\u{aac1}\\\\u{aaeb}-\\\\u{aaef}\\\\u{aaf5}-\\\\u{aaf6}\\\\u{abe3}-\\\\u{abea}\\\\u{" +
    "abec}-\\\\u{abed}\\\\u{fb1e}\\\\u{fe00}-\\\\u{fe0f}\\\\u{fe20}-\\\\u{fe2f}\",\"MAX_PIECES\":4,\"OCR_CHUNK_CHARS\":64," +
    "\"PIECE_CONTAINMENT\":0.5,\"QUOTES\":{\"\\\"\":\"\\\"\",\"'\":\"\\\"\",\"`\":\"\\\"\",\"\\u00ab\":\"\\\"\",\"\\u00b4\":\"\\\"\",\"\\u00bb\":\"" +
    "\\\"\",\"\\u2018\":\"\\\"\",\"\\u2019\":\"\\\"\",\"\\u201a\":\"\\\"\",\"\\u201b\":\"\\\"\",\"\\u201c\":\"\\\"\",\"\\u201d\":\"\\\"\",\"\\u201e\":\"\\\"" +
    "\",\"\\u201f\":\"\\\"\",\"\\u2032\":\"\\\"\",\"\\u2033\":\"\\\"\",\"\\u2039\":\"\\\"\",\"\\u203a\":\"\\\"\",\"\\u301d\":\"\\\"\",\"\\u301e\":\"\\\"\"," +
    "\"\\uff02\":\"\\\"\",\"\\uff07\":\"\\\"\"},\"RANK\":{\"ocr\":1,\"typography\":0,\"words\":2},\"SHAPES\":{\"!\":\"l\",\"0\":\"o\",\"1\"" +
    ":\"l\",\"5\":\"s\",\"C\":\"c\",\"I\":\"l\",\"K\":\"k\",\"O\":\"o\",\"P\":\"p\",\"S\":\"s\",\"U\":\"u\",\"V\":\"v\",\"W\":\"w\",\"X\":\"x\",\"Z\":\"z\"" +
    ",\"c\":\"c\",\"i\":\"l\",\"k\":\"k\",\"l\":\"l\",\"o\":\"o\",\"p\":\"p\",\"s\":\"s\",\"u\":\"u\",\"v\":\"v\",\"w\":\"w\",\"x\":\"x\",\"z\":\"z\",\"|\"" +
    ":\"l\",\"\\u00d8\":\"o\",\"\\u00ec\":\"l\",\"\\u00ed\":\"l\",\"\\u00f8\":\"o\",\"\\u0131\":\"l\",\"\\u01c0\":\"l\"},\"SHAPES_MULTI\":[" +
    "[\"rn\",\"m\"],[\"cl\",\"d\"],[\"vv\",\"w\"],[\"ri\",\"n\"],[\"li\",\"h\"]],\"SKETCH_SHARE\":0.25,\"SKETCH_SIZE\":16,\"SPACE\"" +
    ":\"\\\\u{9}-\\\\u{d}\\\\u{1c}-\\\\u{20}\\\\u{85}\\\\u{a0}\\\\u{1680}\\\\u{2000}-\\\\u{200a}\\\\u{2028}-\\\\u{2029}\\\\u{202f}" +
    "\\\\u{205f}\\\\u{3000}\",\"SPECKS\":\".,;:'\\\"`|-\\u2026\\u060c\\u061b\\u3001\\u3002\\uff0c\",\"UNKNOWN_SIMILARITY\":0" +
    ".3,\"UNSPACED\":\"\\\\u{e00}-\\\\u{eff}\\\\u{1000}-\\\\u{109f}\\\\u{1780}-\\\\u{17ff}\\\\u{3040}-\\\\u{30ff}\\\\u{3400}-\\" +
    "\\u{4dbf}\\\\u{4e00}-\\\\u{9fff}\\\\u{f900}-\\\\u{faff}\\\\u{20000}-\\\\u{3134f}\",\"WINDOW\":16}")
  // END GENERATED

  const CHANGED_SIMILARITY = TABLES.CHANGED_SIMILARITY
  const UNKNOWN_SIMILARITY = TABLES.UNKNOWN_SIMILARITY
  const LCS_CELL_LIMIT = TABLES.LCS_CELL_LIMIT
  const GAP_PAIR_LIMIT = TABLES.GAP_PAIR_LIMIT
  const EXACT_RATIO_WORDS = TABLES.EXACT_RATIO_WORDS
  const MAX_PIECES = TABLES.MAX_PIECES
  const SKETCH_SIZE = TABLES.SKETCH_SIZE
  const SKETCH_SHARE = TABLES.SKETCH_SHARE
  const WINDOW = TABLES.WINDOW
  const PIECE_CONTAINMENT = TABLES.PIECE_CONTAINMENT
  const OCR_CHUNK_CHARS = TABLES.OCR_CHUNK_CHARS

  // ----------------------------------------------------------------- lcs.py

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

  /** lcs.common: index pairs of a bounded LCS of two integer arrays. */
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

  /** Small integer ids for strings, in order of first appearance (dict.setdefault). */
  function idsOf (...lists) {
    const ids = new Map()
    return lists.map(xs => xs.map(x => { if (!ids.has(x)) ids.set(x, ids.size); return ids.get(x) }))
  }

  // --------------------------------------------------------------- words.py
  // One authentic paragraph against one copy paragraph, token by token. Offsets
  // are UTF-16 here and code points in Python; only differences of offsets and
  // slices are used, so the results are the same. Lengths that the rules compare
  // with a number are counted in code points (Array.from).

  const RANK = TABLES.RANK
  const ALNUM_ONE = new RegExp('^[' + TABLES.ALNUM + ']$', 'u')
  const ALNUM_ANY = new RegExp('[' + TABLES.ALNUM + ']', 'u')
  const NOT_SKELETON = new RegExp('[^' + TABLES.ALNUM + ']', 'gu')
  const TOKEN_RE = new RegExp(
    '(?<ellipsis>\u2026|\\.(?: ?\\.){2,})' +
    '|(?<dash>[' + TABLES.DASHES + ']+)' +
    '|(?<unspaced>[' + TABLES.UNSPACED + '][' + TABLES.MARKS + ']*)' +
    '|(?<word>[_' + TABLES.ALNUM + TABLES.MARKS + ']+)' +
    '|(?<mark>[^' + TABLES.SPACE + '][' + TABLES.MARKS + ']*)', 'gu')
  const UNSPACED_RE = new RegExp('[' + TABLES.UNSPACED + '][' + TABLES.MARKS + ']*', 'gu')
  const UNSPACED_ANY = new RegExp('[' + TABLES.UNSPACED + ']', 'u')
  const LIGATURES_ANY = new RegExp('[' + TABLES.LIGATURES + ']', 'u')
  const FULLWIDTH_ANY = new RegExp('[' + TABLES.FULLWIDTH + ']', 'u')
  const ASCII_ONLY = /^[\x00-\x7f]*$/ // eslint-disable-line no-control-regex
  const QUOTES = new Map(Object.entries(TABLES.QUOTES))
  const HOMOGLYPHS = new Map(Object.entries(TABLES.HOMOGLYPHS))
  const SHAPES = new Map(Object.entries(TABLES.SHAPES))
  const SPECKS = new Set(Array.from(TABLES.SPECKS))

  function worst (kinds) {
    let out = null
    for (const k of kinds) if (k !== null && (out === null || RANK[k] > RANK[out])) out = k
    return out
  }

  function cpAt (s, i) { return String.fromCodePoint(s.codePointAt(i)) }
  function cpBefore (s, i) {
    const lo = s.charCodeAt(i - 1)
    return lo >= 0xdc00 && lo <= 0xdfff && i >= 2 ? cpAt(s, i - 2) : s[i - 1]
  }
  function isAlnum (ch) { return ALNUM_ONE.test(ch) }

  function tokenKey (kind, raw) {
    if (kind === 'ellipsis') return '\u2026'
    if (kind === 'dash') return '-'
    if (kind === 'mark' && QUOTES.has(raw)) raw = QUOTES.get(raw)
    if (LIGATURES_ANY.test(raw) || FULLWIDTH_ANY.test(raw)) raw = raw.normalize('NFKC')
    return raw
  }

  function token (key, start, end, lineHyphen) { return { key, start, end, lineHyphen: !!lineHyphen } }

  /** words.tokens: the tokens {key, start, end, lineHyphen} of a paragraph. */
  function tokens (p) {
    const out = []
    for (const m of p.matchAll(TOKEN_RE)) {
      const g = m.groups
      const kind = g.ellipsis !== undefined ? 'ellipsis' : g.dash !== undefined ? 'dash'
        : g.unspaced !== undefined ? 'unspaced' : g.word !== undefined ? 'word' : 'mark'
      const raw = m[0]; const s = m.index; const e = s + raw.length
      if (kind === 'word') {
        const ascii = ASCII_ONLY.test(raw)
        if (ascii || !UNSPACED_ANY.test(raw)) { out.push(token(ascii ? raw : tokenKey(kind, raw), s, e)); continue }
        let at = 0
        for (const u of raw.matchAll(UNSPACED_RE)) {
          if (u.index > at) out.push(token(tokenKey(kind, raw.slice(at, u.index)), s + at, s + u.index))
          out.push(token(u[0], s + u.index, s + u.index + u[0].length))
          at = u.index + u[0].length
        }
        if (at < raw.length) out.push(token(tokenKey(kind, raw.slice(at)), s + at, e))
        continue
      }
      const lineHyphen = kind === 'dash' && (raw === '-' || raw === '\u2010') &&
        s > 0 && isAlnum(cpBefore(p, s)) && e + 1 < p.length && p[e] === ' ' && isAlnum(cpAt(p, e + 1))
      out.push(token(tokenKey(kind, raw), s, e, lineHyphen))
    }
    return out
  }

  /** words.canonical: the token keys joined by spaces (typography folded). */
  function canonical (p) { return tokens(p).map(t => t.key).join(' ') }

  function containment (piece, whole) {
    let total = 0; let shared = 0
    for (const [k, n] of piece) { total += n; shared += Math.min(n, whole.get(k) || 0) }
    return total ? shared / total : 0.0
  }

  function joinLineHyphens (copy, originalWords) {
    const out = []
    let i = 0
    while (i < copy.length) {
      const t = copy[i]
      const prev = out[out.length - 1]
      if (t.lineHyphen && out.length && i + 1 < copy.length && prev.end === t.start &&
          originalWords.has(prev.key + copy[i + 1].key)) {
        const nxt = copy[i + 1]
        out.pop()
        out.push(token(prev.key + nxt.key, prev.start, nxt.end))
        i += 2
        continue
      }
      out.push(t)
      i++
    }
    return out
  }

  function translate (s, table) { return Array.from(s, c => table.has(c) ? table.get(c) : c).join('') }

  function skeleton (keys) {
    let s = keys.join('').normalize('NFD').replace(NOT_SKELETON, '')
    s = translate(s, HOMOGLYPHS)
    for (const [a, b] of TABLES.SHAPES_MULTI) s = s.split(a).join(b)
    return translate(s, SHAPES).replace(/(.)\1+/gu, '$1')
  }

  function oneDropped (a, b) { // code point arrays
    if (a.length < b.length) [a, b] = [b, a]
    if (a.length !== b.length + 1) return false
    let i = 0
    while (i < b.length && a[i] === b[i]) i++
    for (let k = i; k < b.length; k++) if (a[k + 1] !== b[k]) return false
    return true
  }

  function isWord (key) { return ALNUM_ANY.test(key) }
  function countOf (xs, x) { let n = 0; for (const y of xs) if (y === x) n++; return n }

  function classify (old, neu) {
    if (!old.some(isWord) && !neu.some(isWord)) {
      const specks = s => Array.from(s).every(c => SPECKS.has(c))
      return specks(old.join('')) && specks(neu.join('')) ? 'ocr' : 'words'
    }
    if (countOf(old, '-') !== countOf(neu, '-')) return 'words'
    const a = skeleton(old); const b = skeleton(neu)
    if (a === b) return 'ocr'
    const ca = Array.from(a); const cb = Array.from(b)
    if (Math.max(ca.length, cb.length) >= 4 && ca.length <= OCR_CHUNK_CHARS && cb.length <= OCR_CHUNK_CHARS &&
        oneDropped(ca, cb)) return 'ocr'
    return 'words'
  }

  function wordFirst (ot, ct, a, b) {
    const wa = []; const wb = []
    ot.forEach((t, k) => { if (isWord(t.key)) wa.push(k) })
    ct.forEach((t, k) => { if (isWord(t.key)) wb.push(k) })
    const anchors = common(wa.map(k => a[k]), wb.map(k => b[k])).map(([x, y]) => [wa[x], wb[y]])
    const out = []
    let i = 0; let j = 0
    for (const [pi, pj] of [...anchors, [a.length, b.length]]) {
      for (const [x, y] of common(a.slice(i, pi), b.slice(j, pj))) out.push([i + x, j + y])
      if (pi < a.length) out.push([pi, pj])
      i = pi + 1; j = pj + 1
    }
    return out
  }

  /** words.compare: {kind, changes: [{old, new, kind, start}]} of a copy paragraph. */
  function compare (original, copy) {
    if (original === copy) return { kind: null, changes: [] }
    const ot = tokens(original)
    const words = new Set(ot.map(t => t.key))
    const ct = joinLineHyphens(tokens(copy), words)
    const [a, b] = idsOf(ot.map(t => t.key), ct.map(t => t.key))
    const changes = []
    const span = (text, toks, lo, hi) => hi > lo ? text.slice(toks[lo].start, toks[hi - 1].end) : ''
    function chunk (i0, i1, j0, j1) {
      if (i1 === i0 && j1 === j0) return
      if (i1 - i0 === j1 - j0 && j1 - j0 > 1) {
        const run = []
        for (let k = 0; k < i1 - i0; k++) {
          const kind = classify([ot[i0 + k].key], [ct[j0 + k].key])
          if (run.length && run[run.length - 1][2] === kind) run[run.length - 1][1] = k + 1
          else run.push([k, k + 1, kind])
        }
        for (const [lo, hi, kind] of run) {
          changes.push({ old: span(original, ot, i0 + lo, i0 + hi), new: span(copy, ct, j0 + lo, j0 + hi), kind, start: ot[i0 + lo].start })
        }
        return
      }
      const oldKeys = ot.slice(i0, i1).map(t => t.key)
      const newKeys = ct.slice(j0, j1).map(t => t.key)
      const where = i0 < ot.length ? ot[i0].start : original.length
      changes.push({ old: span(original, ot, i0, i1), new: span(copy, ct, j0, j1), kind: classify(oldKeys, newKeys), start: where })
    }
    let i = 0; let j = 0
    for (const [pi, pj] of [...wordFirst(ot, ct, a, b), [a.length, b.length]]) {
      chunk(i, pi, j, pj)
      if (pi < a.length) {
        const o = ot[pi]; const c = ct[pj]
        const old = original.slice(o.start, o.end); const neu = copy.slice(c.start, c.end)
        if (old !== neu) changes.push({ old, new: neu, kind: 'typography', start: o.start })
      }
      i = pi + 1; j = pj + 1
    }
    return { kind: worst(changes.map(c => c.kind)) || 'typography', changes }
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

  const CRC_TABLE = (() => {
    const t = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      t[n] = c >>> 0
    }
    return t
  })()

  function crc32 (bytes) { // zlib.crc32
    let c = 0xffffffff
    for (const x of bytes) c = CRC_TABLE[(c ^ x) & 0xff] ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }

  function sketch (key) {
    const all = [...new Set(key.split(' ').map(t => crc32(utf8.encode(t))))].sort((x, y) => x - y)
    return new Set(all.slice(0, SKETCH_SIZE))
  }

  function bigrams (key) {
    const toks = key.split(' ')
    const out = new Map()
    const add = k => out.set(k, (out.get(k) || 0) + 1)
    if (toks.length < 2) toks.forEach(add)
    else for (let i = 0; i + 1 < toks.length; i++) add(toks[i] + ' ' + toks[i + 1])
    return out
  }

  function shared (x, y) { let n = 0; for (const v of x) if (y.has(v)) n++; return n }

  function planGap (ka, kc) {
    const n = ka.length; const m = kc.length
    const sa = ka.map(sketch); const sc = kc.map(sketch)
    const ca = ka.map(bigrams); const cc = kc.map(bigrams)
    const la = ka.map(k => Math.max(1, k.split(' ').length)); const lc = kc.map(k => Math.max(1, k.split(' ').length))
    const best = Array.from({ length: n + 1 }, () => new Float64Array(m + 1))
    const move = Array.from({ length: n + 1 }, () => new Array(m + 1).fill(null))
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        let score = best[i + 1][j]; let choice = null
        if (best[i][j + 1] > score) score = best[i][j + 1]
        if (shared(sa[i], sc[j]) < SKETCH_SHARE * Math.min(sa[i].size, sc[j].size)) {
          best[i][j] = score; move[i][j] = null
          continue
        }
        let s = similarity(ka[i], kc[j])
        if (s >= CHANGED_SIMILARITY) {
          const v = s * (la[i] + lc[j]) / 2 + best[i + 1][j + 1]
          if (v > score) { score = v; choice = [i, 1, j, 1] }
        }
        if (containment(cc[j], ca[i]) >= PIECE_CONTAINMENT) { // A_i split over C_j..
          let total = lc[j]
          for (let k = 2; k <= MAX_PIECES; k++) {
            if (j + k > m || containment(cc[j + k - 1], ca[i]) < PIECE_CONTAINMENT) break
            total += lc[j + k - 1]
            s = similarity(ka[i], kc.slice(j, j + k).join(' '))
            const v = s * (la[i] + total) / 2 - 0.5 * (k - 1) + best[i + 1][j + k]
            if (s >= CHANGED_SIMILARITY && v > score) { score = v; choice = [i, 1, j, k] }
          }
        }
        if (containment(ca[i], cc[j]) >= PIECE_CONTAINMENT) { // A_i.. merged into C_j
          let total = la[i]
          for (let k = 2; k <= MAX_PIECES; k++) {
            if (i + k > n || containment(ca[i + k - 1], cc[j]) < PIECE_CONTAINMENT) break
            total += la[i + k - 1]
            s = similarity(ka.slice(i, i + k).join(' '), kc[j])
            const v = s * (total + lc[j]) / 2 - 0.5 * (k - 1) + best[i + k][j + 1]
            if (s >= CHANGED_SIMILARITY && v > score) { score = v; choice = [i, k, j, 1] }
          }
        }
        best[i][j] = score; move[i][j] = choice
      }
    }
    const out = []
    let i = 0; let j = 0
    while (i < n && j < m) {
      const mv = move[i][j]
      if (mv !== null) { out.push(mv); i += mv[1]; j += mv[3] } else if (best[i][j] === best[i + 1][j]) i++
      else j++
    }
    return out
  }

  function planWindows (ka, kc) {
    const out = []
    const na = ka.length; const nc = kc.length
    let i = 0; let j = 0
    while (i < na && j < nc) {
      const ia = Math.min(na, i + WINDOW); const jc = Math.min(nc, j + WINDOW + Math.floor(WINDOW / 2))
      let part = planGap(ka.slice(i, ia), kc.slice(j, jc))
      if (!(ia === na && jc === nc)) {
        const horizon = Math.max(1, Math.floor((ia - i) * 3 / 4))
        part = part.filter(mv => mv[0] + mv[1] <= horizon)
      }
      if (!part.length) { i += Math.max(1, Math.floor((ia - i) * 3 / 4)); continue }
      for (const [a, da, c, dc] of part) out.push([i + a, da, j + c, dc])
      const last = part[part.length - 1]
      i = i + last[0] + last[1]; j = j + last[2] + last[3]
    }
    return out
  }

  function result (index, status, copyIndex, detail, changes, copyIndices) {
    return { index, status, copyIndex, detail: detail || null, changes: changes || [], copyIndices: copyIndices || [] }
  }

  /** ParagraphResult.to_json: the paragraph object `verify --json` prints. */
  function resultJson (r) {
    const out = { index: r.index, status: r.status }
    if (r.detail !== null) out.detail = r.detail
    if (r.status === 'changed') out.changes = r.changes.map(c => ({ from: c.old, to: c.new, kind: c.kind }))
    const copies = r.copyIndices.length ? r.copyIndices : (r.copyIndex === null ? [] : [r.copyIndex])
    if (copies.length) out.copy = copies.slice()
    return out
  }

  function verdict (cmp, strict, shape) {
    const kind = cmp.kind
    let changed, changes
    if (strict) {
      changed = kind !== null || shape !== null
      changes = cmp.changes
    } else {
      changed = kind === 'ocr' || kind === 'words'
      changes = cmp.changes.filter(c => c.kind !== 'typography')
    }
    const detail = kind === 'words' ? 'words' : (shape || kind)
    return [changed ? 'changed' : 'same', detail, changes]
  }

  function gapFiller (authentic, copy, strict, out) {
    function pair (ai, cj) {
      const [status, detail, changes] = verdict(compare(authentic[ai], copy[cj]), strict, null)
      out.push(result(ai + 1, status, cj + 1, detail, changes, [cj + 1]))
    }
    function move (ai, na, cj, nc) {
      if (na === 1 && nc === 1) pair(ai, cj)
      else if (na === 1) { // split: the copy has authentic paragraph ai in nc pieces
        const joined = copy.slice(cj, cj + nc).join(' ')
        const [status, detail, changes] = verdict(compare(authentic[ai], joined), strict, 'split')
        const pieces = Array.from({ length: nc }, (_, k) => cj + 1 + k)
        out.push(result(ai + 1, status, cj + 1, detail, changes, pieces))
      } else { // merged: authentic paragraphs ai.. are one copy paragraph cj
        const parts = authentic.slice(ai, ai + na)
        const cmp = compare(parts.join(' '), copy[cj])
        let start = 0
        parts.forEach((part, k) => {
          const end = start + part.length + 1
          const mine = cmp.changes.filter(c => start <= c.start && c.start < end)
          const [status, detail, changes] = verdict({ kind: worst(mine.map(c => c.kind)), changes: mine }, strict, 'merged')
          out.push(result(ai + k + 1, status, cj + 1, detail, changes, [cj + 1]))
          start = end
        })
      }
    }
    function plan (a0, a1, c0, c1, ka, kc) {
      const na = a1 - a0; const nc = c1 - c0
      const whole = na * nc <= Math.min(GAP_PAIR_LIMIT, 4 * WINDOW * WINDOW)
      const moves = whole ? planGap(ka, kc) : planWindows(ka, kc)
      let i = 0; let j = 0
      for (const [mi, mna, mj, mnc] of [...moves, [na, 0, nc, 0]]) {
        while (i < mi) { out.push(result(a0 + i + 1, 'missing', null)); i++ }
        while (j < mj) { out.push(result(a0 + i, 'added', c0 + j + 1)); j++ }
        if (mna) { move(a0 + mi, mna, c0 + mj, mnc); i = mi + mna; j = mj + mnc }
      }
    }
    return function fill (a0, a1, c0, c1) { // typography anchors, then the plan
      const ka = authentic.slice(a0, a1).map(canonical)
      const kc = copy.slice(c0, c1).map(canonical)
      const [ia, ic] = idsOf(ka, kc)
      let i = 0; let j = 0
      for (const [pi, pj] of [...common(ia, ic), [ia.length, ic.length]]) {
        plan(a0 + i, a0 + pi, c0 + j, c0 + pj, ka.slice(i, pi), kc.slice(j, pj))
        if (pi < ia.length) pair(a0 + pi, c0 + pj)
        i = pi + 1; j = pj + 1
      }
    }
  }

  function fillGap (a0, a1, c0, c1, authenticTexts, copy, out, strict) {
    const na = a1 - a0; const nc = c1 - c0
    if (!na && !nc) return
    if (authenticTexts && na && nc) { gapFiller(authenticTexts, copy, strict, out)(a0, a1, c0, c1); return }
    if (na === nc) { // hashes only: a changed paragraph cannot be told from a swap
      for (let k = 0; k < na; k++) out.push(result(a0 + k + 1, 'changed', c0 + k + 1))
      return
    }
    for (let k = 0; k < na; k++) out.push(result(a0 + k + 1, 'missing', null))
    for (let k = 0; k < nc; k++) out.push(result(a1, 'added', c0 + k + 1))
  }

  /** align.align: one verdict per authentic paragraph and per added copy paragraph
   * ({index, status, copyIndex, detail, changes, copyIndices}; resultJson prints it). */
  function align (authenticHashes, copy, copyHashes, authenticTexts, typographyIsChange) {
    const [a, c] = idsOf(authenticHashes, copyHashes)
    const out = []
    let ai = 0; let ci = 0
    for (const [i, j] of [...common(a, c), [a.length, c.length]]) {
      fillGap(ai, i, ci, j, authenticTexts, copy, out, !!typographyIsChange)
      if (i < a.length) out.push(result(i + 1, 'same', j + 1))
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
    const results = align(hashes, copy, copyHashes, site.paragraphs, false)
    const exact = results.length > 0 && results.every(r => r.status === 'same')
    return {
      status: exact ? 'authentic' : 'altered',
      version: site.statement.version,
      signers: [{ kind: 'committee', key: site.groupKey, trusted: true }],
      paragraphs: results.map(resultJson)
    }
  }

  const lib = {
    TextError, normalize, decodeText, paragraphHash, paragraphHashes, merkleRoot, sha256, hex, unhex,
    parseStatement, ed25519Verify, similarity, textSimilarity, common, tokens, canonical, compare,
    align, resultJson, verifyAgainst
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
