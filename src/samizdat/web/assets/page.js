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

  function report (out, r) {
    out.textContent = ''
    const words = { authentic: 'Authentic: this copy is the signed text.', altered: 'Altered: this copy differs from the signed text.', unknown: 'Unknown: this copy does not come from the signed text.' }
    out.append(el('p', words[r.status] || r.status, 'verdict ' + r.status))
    const changed = r.paragraphs.filter(p => p.status !== 'same')
    if (r.paragraphs.length) out.append(el('p', (r.paragraphs.length - changed.length) + ' paragraphs the same, ' + changed.length + ' differ.'))
    const list = el('ul')
    for (const p of changed) {
      const li = el('li', 'paragraph ' + p.index + ': ' + p.status + (p.detail ? ' (' + p.detail + ')' : ''))
      for (const c of p.changes || []) li.append(el('div', '\u201c' + c.from + '\u201d \u2192 \u201c' + c.to + '\u201d', 'change'))
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
