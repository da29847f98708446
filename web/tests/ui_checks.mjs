// Checks every screen of the browser suites must pass, shared by tests/roles.mjs and the admin
// screens' tests (playwright-core pages):
//   - nothing sticks out of the viewport horizontally (the page never scrolls sideways; wide
//     content scrolls inside its own box, e.g. a table's body);
//   - no short word or label wraps one character per line, and no order number is cut off;
//   - in zh-CN, no visible text is English: every Latin word must be on a small explicit
//     allow-list (or be part of an order number / code the caller names).
//
//   import { checkScreen } from './ui_checks.mjs'
//   await checkScreen(page, { out: '/tmp/shots', name: 'grid-phone-inbox' })  // throws on failure
//
// The checks read the live DOM (text nodes, placeholders, input values, SVG text) of what is
// visible; canvas pixels cannot be read, so charts that must be checked use the SVG renderer.
import fs from 'node:fs'
import path from 'node:path'

// Latin words a zh-CN screen may show, and why:
export const LATIN_ALLOW = new Set([
  'English',                           // the language switch names the language it switches to
  'ID',                                // 身份证/ID is how forms name identity numbers
  'km', 'kg', 'cm', 'mm',              // units
  'Ctrl', 'Alt', 'Shift', 'Enter', 'Tab', 'Esc',  // keys on the keyboard, as printed on them
])

// An identifier: capitals, a hyphen, an optional capital and digits (the Jinan demo's department
// codes LX-D04, SZ-D01). Never prose.
const CODE = /\b[A-Z]{2,}-[A-Z]?\d+\b/g

// A word: two or more Latin letters in a row (single letters like the "B" of "B座" are fine).
const WORD = /[A-Za-z]{2,}/g

// Runs in the page: every visible piece of text with a short description of where it is.
function collectTextInPage() {
  const out = []
  const visible = (el) => {
    if (!el || !(el instanceof Element)) return false
    if (el.checkVisibility && !el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return false
    const r = el.getBoundingClientRect()
    return r.width > 0 && r.height > 0
  }
  const where = (el) => {
    const parts = []
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      const dt = e.getAttribute && e.getAttribute('data-test')
      parts.unshift(e.tagName.toLowerCase() + (dt ? `[data-test=${dt}]` : e.classList[0] ? '.' + e.classList[0] : ''))
    }
    return parts.join(' > ')
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const s = n.nodeValue.trim()
    if (!s) continue
    const el = n.parentElement
    if (!el || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(el.tagName)) continue
    if (!visible(el)) continue
    out.push({ text: s, where: where(el) })
  }
  for (const el of document.querySelectorAll('input, textarea')) {
    if (!visible(el) || el.type === 'hidden' || el.type === 'password') continue
    // What the user typed is theirs (a login is Latin); what the UI put in a read-only box
    // (a select's or a date picker's text) is the UI's.
    if (el.value) { if (el.readOnly) out.push({ text: el.value, where: where(el) + ' (value)' }) }
    else if (el.placeholder) out.push({ text: el.placeholder, where: where(el) + ' (placeholder)' })
  }
  return out
}

// English words visible on the page. `allow`: extra words or RegExps for this screen (keep them
// few: order numbers and codes the test itself knows).
export async function englishWords(page, { allow = [] } = {}) {
  const texts = await page.evaluate(collectTextInPage)
  const extra = allow.filter((a) => typeof a === 'string')
  const patterns = allow.filter((a) => a instanceof RegExp)
  const bad = []
  for (const { text, where } of texts) {
    // Codes are data, not English: a unit's code (LX-D04), a catalogue rule's (LX-D02).
    let rest = text.replace(CODE, ' ')
    for (const p of patterns) rest = rest.replace(new RegExp(p.source, p.flags.includes('g') ? p.flags : p.flags + 'g'), ' ')
    const words = (rest.match(WORD) || []).filter((w) => !LATIN_ALLOW.has(w) && !extra.includes(w))
    if (words.length) bad.push({ words: [...new Set(words)], text: text.slice(0, 120), where })
  }
  return bad
}

// Elements that stick out of the viewport horizontally and are not clipped by a scrolling or
// clipping ancestor inside the viewport. Also the document's own sideways scroll.
export async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth
    const bad = []
    const doc = document.documentElement.scrollWidth
    if (doc > vw + 1) bad.push({ what: 'document', right: doc, vw })
    const clips = (s) => s.overflowX !== 'visible'
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect()
      if (r.width === 0 || r.height === 0) continue
      if (r.right <= vw + 1 && r.left >= -1) continue
      if (el.checkVisibility && !el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue
      // Clipped by an ancestor that itself fits? Then the user scrolls inside it, or never sees it.
      let clipped = false
      for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
        const s = getComputedStyle(a)
        if (clips(s)) {
          const ar = a.getBoundingClientRect()
          if (ar.right <= vw + 1 && ar.left >= -1) { clipped = true; break }
        }
        if (s.position === 'fixed') break
      }
      if (clipped) continue
      // Report the outermost offender only.
      const p = el.parentElement
      if (p && p !== document.body) {
        const pr = p.getBoundingClientRect()
        if ((pr.right > vw + 1 || pr.left < -1) && pr.width > 0) continue
      }
      const dt = el.getAttribute('data-test')
      bad.push({
        what: el.tagName.toLowerCase() + (dt ? `[data-test=${dt}]` : el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : ''),
        left: Math.round(r.left), right: Math.round(r.right), vw, text: (el.textContent || '').trim().slice(0, 60),
      })
    }
    return bad
  })
}

// Squeezed text: a label or word of up to 8 characters, a number or time, broken over lines,
// or any short text (no whitespace, up to 24 characters) at two characters a line or fewer —
// the "one character per line" squeeze; and order numbers cut by an ellipsis. (A long name
// that simply continues on the next line is ordinary text flow.)
export async function squeezedText(page, { orderNo = /\b\d{10,}\b/ } = {}) {
  return page.evaluate((src) => {
    const no = new RegExp(src)
    const bad = []
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const s = n.nodeValue.trim()
      const el = n.parentElement
      if (!el || s.length < 2 || s.length > 24 || /\s/.test(s)) continue
      if (el.checkVisibility && !el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue
      const range = document.createRange()
      range.selectNodeContents(n)
      const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)))
      const lines = tops.size
      if (lines > 1 && (s.length <= 8 || /^[\d:.\-/+]+$/.test(s) || s.length / lines <= 2)) bad.push({ what: 'wraps', text: s, lines })
      if (no.test(s)) {
        // Cut off by an ellipsis or clipped by its own box?
        for (let a = el; a && a !== document.body; a = a.parentElement) {
          const st = getComputedStyle(a)
          if (st.overflowX !== 'visible' && a.scrollWidth > a.clientWidth + 1 && st.textOverflow === 'ellipsis') {
            bad.push({ what: 'cut', text: s })
            break
          }
        }
      }
    }
    return bad
  }, orderNo.source)
}

let shotNo = 0

// Screenshot `name` into `out`, then run the checks; throws naming every failure.
// Options: lang ('zh-CN' runs the English check), allow (extra Latin words/RegExps),
// fullPage (default true), skip (['overflow'|'english'|'squeeze']).
export async function checkScreen(page, { out, name, lang = 'zh-CN', allow = [], fullPage = true, skip = [] }) {
  shotNo += 1
  if (out) {
    fs.mkdirSync(out, { recursive: true })
    const file = path.join(out, String(shotNo).padStart(2, '0') + '-' + name + '.png')
    await page.screenshot({ path: file, fullPage })
    console.log('shot ' + file)
  }
  const problems = []
  if (!skip.includes('overflow')) {
    for (const o of await horizontalOverflow(page)) problems.push('sticks out of the viewport: ' + JSON.stringify(o))
  }
  if (!skip.includes('squeeze')) {
    for (const o of await squeezedText(page)) problems.push((o.what === 'cut' ? 'order number cut off: ' : 'short text wraps: ') + JSON.stringify(o))
  }
  if (lang === 'zh-CN' && !skip.includes('english')) {
    for (const o of await englishWords(page, { allow })) problems.push('English in zh-CN: ' + JSON.stringify(o))
  }
  if (problems.length) throw new Error(`FAILED screen ${name}:\n  ` + problems.slice(0, 25).join('\n  ') + (problems.length > 25 ? `\n  ... ${problems.length - 25} more` : ''))
  console.log(`ok   screen ${name}: no overflow, no squeezed text${lang === 'zh-CN' ? ', no English' : ''}`)
}
