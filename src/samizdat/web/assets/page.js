/* The exile mirror's pages: index.html shows the result of selfCheck(); check.html
 * checks a pasted or dropped copy with samizdat.verify(). Everything the document
 * says is inserted as text (textContent), never as HTML. */
(function () {
  'use strict'
  if (window.top !== window.self) { // no framing, even where the host sends no CSP header
    document.documentElement.hidden = true
    return
  }
  const $ = id => document.getElementById(id)
  function el (tag, text, cls) {
    const e = document.createElement(tag)
    if (text !== undefined) e.textContent = text
    if (cls) e.className = cls
    return e
  }

  async function showSelfCheck () {
    const box = $('check')
    if (!box) return
    box.textContent = 'Checking the committee\u2019s signature\u2026'
    const r = await window.samizdat.selfCheck()
    box.textContent = ''
    const ok = r.signature && r.merkle
    box.className = ok ? 'check good' : 'check bad'
    box.append(el('strong', ok ? 'Checked: this is the text the committee signed.' : 'WARNING: this page is NOT what the committee signed.'))
    box.append(el('span', ' Signature: ' + (r.signature ? 'valid' : 'INVALID') + '. Text: ' + (r.merkle ? 'matches the signed paragraphs' : 'DOES NOT match') + '.'))
  }

  // verify's JSON in words a reader understands (docs/spec/compare.md)
  const DETAIL = {
    typography: 'only the typography differs (quotes, dashes, spacing)',
    ocr: 'misread letters or marks only, as OCR or a typist makes them; no word changed',
    words: 'WORDS CHANGED',
    split: 'split into several paragraphs in the copy',
    merged: 'run together with a neighbouring paragraph in the copy'
  }
  const KIND = { words: 'changed', ocr: 'misread', typography: 'typography' }

  function codes (s) {
    return Array.from(s, c => {
      const n = c.codePointAt(0)
      const script = n < 0x250 ? 'Latin ' : n >= 0x370 && n < 0x400 ? 'Greek ' : n >= 0x400 && n < 0x530 ? 'Cyrillic ' : ''
      return script + 'U+' + n.toString(16).toUpperCase().padStart(4, '0')
    }).join(' ')
  }

  /** A quoted piece of the text, the part that differs from `other` marked (all of
   * it when `whole`, as for changed words). */
  function quoted (text, other, whole) {
    const a = Array.from(text); const b = Array.from(other)
    if (whole) b.length = 0
    let pre = 0
    while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++
    let suf = 0
    while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++
    const q = el('bdi', undefined, 'quote')
    q.append('\u201c' + a.slice(0, pre).join(''))
    q.append(el('mark', a.slice(pre, a.length - suf).join('')))
    q.append(a.slice(a.length - suf).join('') + '\u201d')
    return [q, a.slice(pre, a.length - suf).join(''), b.slice(pre, b.length - suf).join('')]
  }

  function change (c) {
    const line = el('div', undefined, 'change ' + c.kind)
    line.append(el('span', (KIND[c.kind] || c.kind) + ':', 'kind'), ' ')
    if (!c.from) {
      line.append('added ', quoted(c.to, '')[0])
    } else if (!c.to) {
      line.append('removed ', quoted(c.from, '')[0])
    } else {
      const whole = c.kind === 'words'
      const [old, a, b] = quoted(c.from, c.to, whole)
      line.append(old, ' \u2192 ', quoted(c.to, c.from, whole)[0])
      // letters that look alike but are not (Latin o for Cyrillic o): say which
      if (!whole && a.length <= 3 && b.length <= 3 && a && b && /[^\x00-\x7f]/.test(a + b)) { // eslint-disable-line no-control-regex
        line.append(el('span', ' (' + codes(b) + ' for ' + codes(a) + ')', 'codes'))
      }
    }
    return line
  }

  function where (p) {
    const copy = p.copy || []
    if (!copy.length) return ''
    return copy.length === 1 ? ' (the copy\u2019s paragraph ' + copy[0] + ')'
      : ' (the copy\u2019s paragraphs ' + copy[0] + '\u2013' + copy[copy.length - 1] + ')'
  }

  function heading (p) {
    if (p.status === 'missing') return 'Paragraph ' + p.index + ': missing from the copy'
    if (p.status === 'added') return 'Added after paragraph ' + p.index + where(p) + ': not in the signed text'
    return 'Paragraph ' + p.index + where(p) + ': ' + p.status + (p.detail ? ' \u2014 ' + (DETAIL[p.detail] || p.detail) : '')
  }

  function report (out, r) {
    out.textContent = ''
    const words = { authentic: 'Authentic: this copy is the signed text.', altered: 'Altered: this copy differs from the signed text.', unknown: 'Unknown: this copy does not come from the signed text.' }
    out.append(el('p', words[r.status] || r.status, 'verdict ' + r.status))
    const changed = r.paragraphs.filter(p => p.status !== 'same')
    const notes = r.paragraphs.filter(p => p.status === 'same' && p.detail)
    if (r.paragraphs.length) {
      const same = r.paragraphs.length - changed.length
      out.append(el('p', same + (same === 1 ? ' paragraph is' : ' paragraphs are') + ' the same, ' +
        changed.length + (changed.length === 1 ? ' differs.' : ' differ.')))
    }
    const list = el('ul', undefined, 'paragraphs')
    for (const p of [...changed, ...notes].sort((x, y) => x.index - y.index)) {
      const li = el('li', undefined, p.status + (p.detail ? ' ' + p.detail : ''))
      li.append(el('div', heading(p), 'heading'))
      for (const c of p.changes || []) li.append(change(c))
      list.append(li)
    }
    out.append(list)
  }

  function setupChecker () {
    const input = $('copy'); const out = $('result'); const progress = $('progress')
    if (!input) return
    async function run (text) {
      out.textContent = ''
      progress.hidden = false
      try {
        const r = await window.samizdat.verify(text, (done, total) => { progress.max = total; progress.value = done })
        report(out, r)
      } catch (e) {
        out.textContent = 'Could not check this copy: ' + e.message
      } finally { progress.hidden = true }
    }
    $('run').addEventListener('click', () => run(input.value))
    const file = $('file')
    async function readFile (f) {
      try { run(window.samizdatLib.decodeText(new Uint8Array(await f.arrayBuffer()))) } catch (e) { out.textContent = 'Could not read this file: ' + e.message }
    }
    file.addEventListener('change', () => { if (file.files[0]) readFile(file.files[0]) })
    document.addEventListener('dragover', e => e.preventDefault())
    document.addEventListener('drop', e => { e.preventDefault(); if (e.dataTransfer.files[0]) readFile(e.dataTransfer.files[0]) })
  }

  showSelfCheck()
  setupChecker()
})()
