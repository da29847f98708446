// The admin, report and dispatcher screens in a real browser (Debian's Chromium driven by
// playwright-core), against a demo store served with classifier models and automatic dispatch
// off (tests/web_admin_test.py sets that up):
//   admin       creates a unit and deactivates it, creates a user, disables and enables her,
//               resets her password, unlocks a locked user, edits a deadline rule and a holiday,
//               reads and filters the audit log, pages through it;
//   supervisor  previews the monthly report, downloads it (a real xlsx: zip magic, non-empty),
//               reads the rankings of another month, reads the audit log; also at 390×844;
//   dispatcher  sees the review queue with orders, pages to the last page of the inbox (the
//               total is the API's), finds an order by its number, dispatches with the subject
//               tree; a refused dispatch shows a message, not a field name.
// Every screen is screenshotted into --out and checked by ui_checks.mjs (no overflow, no
// squeezed text, no English in zh-CN). Every check that cannot be made fails the run.
//
//   node tests/admin.mjs --url http://127.0.0.1:8080 --out ../build/web-admin [--chromium /usr/bin/chromium]
import { chromium } from 'playwright-core'
import fs from 'node:fs'
import path from 'node:path'
import { checkScreen } from './ui_checks.mjs'

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : 'true'])
  return acc
}, []))
const URL_ = (args.url || 'http://127.0.0.1:8080').replace(/\/$/, '')
const OUT = path.resolve(args.out || 'admin-screenshots')
const CHROMIUM = args.chromium || '/usr/bin/chromium'
fs.mkdirSync(OUT, { recursive: true })

// The <input> of an Element Plus field: el-input puts data-test on the input itself, the
// pickers and el-input-number on their outer box.
const inp = (page, name) => page.locator(`input[data-test=${name}], [data-test=${name}] input`).first()

// Polls fn until pred(value) holds (at most 30 s) and returns the last value; the check that
// follows says what was expected. (Screens load asynchronously; no fixed sleeps.)
async function until(fn, pred) {
  let v
  for (let i = 0; i < 150; ++i) {
    v = await fn()
    if (pred(v)) return v
    await new Promise((r) => setTimeout(r, 200))
  }
  return v
}

function check(cond, what) {
  if (!cond) throw new Error('FAILED: ' + what)
  console.log('ok   ' + what)
}

// -- the API, for setting up and for checking what the screens did --
async function call(method, p, token, body) {
  const h = { Accept: 'application/json' }
  if (token) h.Authorization = 'Bearer ' + token
  if (body !== undefined) h['Content-Type'] = 'application/json'
  const r = await fetch(URL_ + '/api/v1' + p, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await r.text()
  let json = null
  try { json = JSON.parse(text) } catch { /* not JSON */ }
  return { status: r.status, json, text }
}
async function token(login, password = 'demo') {
  const r = await call('POST', '/auth/login', '', { login, password })
  return r.status === 200 ? r.json.token : null
}
const admin = await token('admin')
check(!!admin, 'admin logs in through the API')
const agentTok = await token('agent')

// Three fresh appeals with classifier suggestions (automatic dispatch is off): the review queue.
const fresh = []
for (const [title, content] of [
  ['小区路灯不亮', '历城区洪家楼街道某小区内路灯已经连续一周不亮，晚上出行很不方便，请尽快维修。'],
  ['饭店油烟扰民', '楼下饭店油烟直排，每天中午晚上油烟很大，窗户都不敢开，希望有关部门管一管。'],
  ['道路坑洼积水', '华信路与二环东路路口附近路面坑洼，下雨天积水严重，车辆经过溅人一身水。'],
]) {
  const r = await call('POST', '/orders', agentTok, { channel: 'hotline', nature: 'complaint', title, content,
    caller: { name: '测试来电人', phone: '13900001111' }, place: { street: '370112002', address: '洪家楼街道' } })
  check(r.status === 201, `agent records "${title}" (got ${r.status} ${r.text.slice(0, 200)})`)
  fresh.push(r.json)
}
// A busy morning: 55 more appeals waiting, so the dispatcher's inbox runs to a second page of 50
// (a well-run demo history leaves only a few dozen).
const places = ['小区门口', '菜市场东侧', '学校北门', '公交站旁', '十字路口']
for (let i = 0; i < 55; ++i) {
  const r = await call('POST', '/orders', agentTok, { channel: 'hotline', nature: i % 5 ? 'complaint' : 'help',
    title: '早高峰来电' + (i + 1), content: `${places[i % 5]}垃圾堆放无人清理，气味很大，第${i + 1}位市民反映，请尽快处理。`,
    caller: { name: '市民', phone: '1390000' + String(2000 + i) }, place: { street: '370112002', address: '洪家楼' + places[i % 5] } })
  if (r.status !== 201) check(false, `appeal ${i + 1} recorded (got ${r.status} ${r.text.slice(0, 200)})`)
}
const review = await call('GET', '/orders?review=1', admin)
check(review.status === 200 && review.json.total >= 1, `the review queue has orders through the API (total ${review.json?.total})`)

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] })
let failed = false
try {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'UTC', acceptDownloads: true })
  const page = await ctx.newPage()
  globalThis.lastPage = page
  page.on('pageerror', (e) => console.log('page error: ' + e.message))

  async function login(user, landing, password = 'demo') {
    await page.goto(URL_ + '/login')
    await page.evaluate(() => localStorage.removeItem('hotline.session'))
    await page.goto(URL_ + '/login')
    await page.locator('[data-test=login]').fill(user)
    await page.locator('[data-test=password]').fill(password)
    await page.locator('[data-test=login-submit]').click()
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 60000 })
    check(new URL(page.url()).pathname === landing, `${user} lands on ${landing}`)
  }
  const tab = async (name) => {
    await page.goto(URL_ + '/admin?tab=' + name)
    await page.locator(`[data-test=admin-${name}]`).waitFor({ timeout: 60000 })
  }
  // A save's success message; taken off the page at once, so the next save waits for its own.
  const saved = async () => {
    await page.locator('.el-message--success').last().waitFor({ timeout: 30000 })
    await page.evaluate(() => document.querySelectorAll('.el-message').forEach((e) => e.remove()))
  }

  // ===== admin =====
  await login('admin', '/dashboard')
  await page.locator('[data-test=dash-admin]').click()
  await page.locator('[data-test=admin-units]').waitFor({ timeout: 60000 })
  await page.locator('[data-test=unit-tree] .el-tree-node').first().waitFor()
  await checkScreen(page, { out: OUT, name: 'admin-units' })

  // Create a community under 洪家楼街道, then deactivate it.
  const taken = new Set((await call('GET', '/units?kind=community', admin)).json.items.map((u) => u.code))
  let code = ''
  for (let n = 100; n < 200 && !code; ++n) if (!taken.has('370112002' + n)) code = '370112002' + n
  await page.locator('[data-test=unit-new]').click()
  await inp(page, 'unit-code').fill(code)
  await inp(page, 'unit-name').fill('测试新建社区')
  await page.locator('[data-test=unit-parent]').click()
  await page.keyboard.type('370112002')
  await page.locator('.el-select-dropdown__item:visible', { hasText: '洪家楼街道' }).first().click()
  await page.locator('[data-test=unit-save]').click()
  await saved()
  let unit = (await call('GET', '/units?kind=community', admin)).json.items.find((u) => u.code === code)
  check(unit && unit.name === '测试新建社区' && unit.parent?.code === '370112002' && unit.active, 'the new community is stored under 洪家楼街道')
  await inp(page, 'unit-search').fill('测试新建社区')
  await page.locator('[data-test=unit-tree] .el-tree-node__content', { hasText: '测试新建社区' }).first().waitFor()
  await checkScreen(page, { out: OUT, name: 'admin-unit-created', allow: [] })
  await page.locator('[data-test=unit-deactivate]').click()
  await saved()
  unit = (await call('GET', '/units?kind=community', admin)).json.items.find((u) => u.code === code)
  check(unit && unit.active === false, 'deactivate stores active=false')

  // Users: create, disable, enable, reset the password.
  await tab('users')
  await page.locator('[data-test=user-table] .el-table__row').first().waitFor({ timeout: 60000 })
  // Logins are data (Latin by nature), not UI text: the ones on screen are allowed.
  const loginsShown = async () => (await page.locator('[data-test=user-table] .el-table__row td:first-child').allTextContents())
    .map((l) => new RegExp('^' + l.trim().replace(/[^\w]/g, '') + '$'))
  await checkScreen(page, { out: OUT, name: 'admin-users', allow: await loginsShown() })
  const login1 = 'uitest' + Date.now().toString(36).slice(-5)
  await page.locator('[data-test=user-new]').click()
  await inp(page, 'nu-login').fill(login1)
  await inp(page, 'nu-name').fill('测试承办人')
  await page.locator('[data-test=nu-unit]').click()
  await page.keyboard.type('洪家楼街道')
  await page.locator('.el-select-dropdown__item:visible', { hasText: '洪家楼街道' }).first().click()
  await inp(page, 'nu-password').fill('first-pass-1')
  await page.locator('[data-test=user-dialog-ok]').click()
  await saved()
  await page.locator(`[data-test=toggle-${login1}]`).waitFor({ timeout: 30000 })
  check(!!(await token(login1, 'first-pass-1')), 'the new user logs in with her password')
  await page.locator(`[data-test=toggle-${login1}]`).click()
  await saved()
  check(!(await token(login1, 'first-pass-1')), 'a disabled user cannot log in')
  await page.locator(`[data-test=toggle-${login1}]`).click()
  await saved()
  check(!!(await token(login1, 'first-pass-1')), 'enabled again, she can')
  await page.locator(`[data-test=reset-${login1}]`).click()
  await inp(page, 'nu-password').fill('second-pass-2')
  await checkScreen(page, { out: OUT, name: 'admin-user-reset-password', allow: [...await loginsShown(), /second-pass-2/] })
  await page.locator('[data-test=user-dialog-ok]').click()
  await saved()
  check(!!(await token(login1, 'second-pass-2')) && !(await token(login1, 'first-pass-1')), 'reset password: the new one works, the old one not')

  // Deadline rules: change the first rule's handling limit.
  await tab('rules')
  const rulesBefore = (await call('GET', '/deadline-rules', admin)).json.rules
  const amount = rulesBefore[0].handle.amount + 1
  const input = inp(page, 'rule-0-handle')
  await input.fill(String(amount))
  await input.press('Tab')
  await checkScreen(page, { out: OUT, name: 'admin-deadline-rules' })
  await page.locator('[data-test=rules-save]').click()
  await saved()
  const rulesAfter = (await call('GET', '/deadline-rules', admin)).json.rules
  check(rulesAfter[0].handle.amount === amount && rulesAfter.length === rulesBefore.length, `rule 1's handling limit is now ${amount}`)

  // Holiday calendar: add a day off.
  await tab('calendar')
  await inp(page, 'cal-new-date').fill('2026-12-24')
  await inp(page, 'cal-new-date').press('Enter')
  await inp(page, 'cal-new-name').fill('测试调休')
  await page.locator('[data-test=cal-add]').click()
  await page.locator('[data-test=cal-table] .el-table__row', { hasText: '2026-12-24' }).waitFor()
  await checkScreen(page, { out: OUT, name: 'admin-calendar' })
  await page.locator('[data-test=cal-save]').click()
  await saved()
  const day = (await call('GET', '/calendar', admin)).json.days.find((d) => d.date === '2026-12-24')
  check(day && day.working === false && day.name === '测试调休', 'the calendar stores 2026-12-24 as a day off')

  const ready = { taxonomy: '[data-test=subject-tree] .el-tree-node', catalogue: '[data-test=catalogue-table] .el-table__row', lights: '[data-test=light-fraction]' }
  for (const name of ['taxonomy', 'catalogue', 'lights']) {
    await tab(name)
    await page.locator(ready[name]).first().waitFor({ timeout: 30000 })
    await checkScreen(page, { out: OUT, name: 'admin-' + name })
  }

  // Open311 API keys: create one (shown once), find it listed by its prefix, revoke it.
  await tab('open311')
  await checkScreen(page, { out: OUT, name: 'admin-open311', allow: ['Open', 'App', 'FixMyStreet'] })
  await inp(page, 'o311-name').fill('测试接入系统')
  await inp(page, 'o311-label').fill('test_app')
  await page.locator('[data-test=o311-create]').click()
  await page.locator('[data-test=o311-key] code').waitFor({ timeout: 30000 })
  const shownKey = (await page.locator('[data-test=o311-key] code').textContent()).trim()
  const o311 = (await call('GET', '/open311/clients', admin)).json.items.find((k) => k.name === '测试接入系统')
  check(o311 && shownKey.length >= 32 && shownKey.startsWith(o311.key_prefix) && o311.channel_label === 'test_app' && !o311.revoked_at,
    'an admin creates an Open311 key on its screen: shown once, listed by its prefix')
  await page.locator(`[data-test=o311-revoke-${o311.id}]`).click()
  await page.locator('.el-message-box__btns .el-button--primary').click()
  const gone = await until(async () => (await call('GET', '/open311/clients', admin)).json.items.find((k) => k.id === o311.id), (k) => k && k.revoked_at)
  check(gone && gone.revoked_at, 'revoking it on the screen stores revoked_at')

  // Audit log: the changes above are there, filterable, and paged.
  for (let i = 0; i < 60; ++i) await call('GET', '/orders/' + fresh[0].id, admin)  // 60 x read_pii
  await tab('audit')
  await page.locator('[data-test=audit-table] .el-table__row').first().waitFor({ timeout: 30000 })
  await checkScreen(page, { out: OUT, name: 'admin-audit' })
  await page.locator('[data-test=audit-action]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '修改节假日' }).first().click()
  await page.locator('[data-test=audit-search]').click()
  const actions = await until(() => page.locator('[data-test=audit-table] .el-table__row').allTextContents(),
    (a) => a.length >= 1 && a.every((r) => r.includes('修改节假日')))
  check(actions.length >= 1 && actions.every((r) => r.includes('修改节假日')), `the audit log filtered to 修改节假日 (${actions.length} rows)`)
  await tab('audit')
  await inp(page, 'audit-order').fill(fresh[0].no)
  const api = (await call('GET', '/audit?order=' + fresh[0].id, admin)).json
  await page.locator('[data-test=audit-search]').click()
  const total = await until(async () => Number((await page.locator('[data-test=audit-total]').textContent()).replace(/\D/g, '')), (n) => n === api.total)
  check(total >= 60 && total === api.total, `the audit log of ${fresh[0].no} counts ${total} entries, as the API (${api.total})`)
  await page.locator('[data-test=audit-pager] .number').last().click()
  const lastRows = await until(() => page.locator('[data-test=audit-table] .el-table__row').count(), (n) => n === total - 50 * (Math.ceil(total / 50) - 1))
  check(lastRows === total - 50 * (Math.ceil(total / 50) - 1), `the last audit page holds the remaining ${lastRows} entries`)

  // ===== supervisor: monthly report and rankings =====
  await login('supervisor', '/dashboard')
  await page.locator('[data-test=dash-reports]').click()
  await page.locator('[data-test=reports] .sheet').first().waitFor({ timeout: 60000 })
  const sheets = await page.locator('[data-test=reports] .sheet h3').allTextContents()
  check(sheets.some((s) => s.includes('街道排名')) && sheets.some((s) => s.includes('部门排名')), 'the preview shows the report\'s sheets: ' + sheets.map((s) => s.split(' ')[0]).join('、'))
  const streetRows = await page.locator('[data-test="sheet-街道排名"] .el-table__row').count()
  check(streetRows >= 5, `the street ranking sheet has rows (${streetRows})`)
  await checkScreen(page, { out: OUT, name: 'supervisor-report-preview' })
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), page.locator('[data-test=report-download]').click()])
  const file = path.join(OUT, 'monthly-report.xlsx')
  await download.saveAs(file)
  const bytes = fs.readFileSync(file)
  check(bytes.length > 1000 && bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])), `the download is an xlsx (zip, ${bytes.length} bytes, ${download.suggestedFilename()})`)
  check(download.suggestedFilename().endsWith('.xlsx') && download.suggestedFilename().includes('月报'), 'the file is named in Chinese with the month')

  await page.locator('[data-test=report-tabs] .el-tabs__item', { hasText: '月度排名' }).click()
  await page.locator('[data-test=ranking-table] .el-table__row').first().waitFor({ timeout: 30000 })
  const d = new Date()
  const prev = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7)
  await inp(page, 'report-month').fill(prev)
  await inp(page, 'report-month').press('Enter')
  await page.waitForURL((u) => u.searchParams.get('month') === prev, { timeout: 30000 })
  const supTok = await token('supervisor')
  const apiRank = (await call('GET', `/rankings?month=${prev}&kind=street`, supTok)).json
  const shown = await until(() => page.locator('[data-test=ranking-table] .el-table__row').allTextContents(),
    (r) => r.length === apiRank.rows.length && r.length > 0 && r[0].includes(apiRank.rows[0].unit.name))
  check(shown.length === apiRank.rows.length && shown.length > 0 && shown[0].includes(apiRank.rows[0].unit.name), `rankings of ${prev}: ${shown.length} streets, first ${apiRank.rows[0].unit.name}`)
  await checkScreen(page, { out: OUT, name: 'supervisor-rankings' })
  await page.locator('[data-test=ranking-kind] .el-radio-button', { hasText: '部门排名' }).click()
  const apiDept = (await call('GET', `/rankings?month=${prev}&kind=department`, supTok)).json
  const depts = await until(() => page.locator('[data-test=ranking-table] .el-table__row').allTextContents(),
    (r) => r.length === apiDept.rows.length && r.length > 0 && r[0].includes(apiDept.rows[0].unit.name))
  check(depts.length === apiDept.rows.length && depts[0].includes(apiDept.rows[0].unit.name), `department rankings of ${prev}: ${depts.length} departments`)
  await checkScreen(page, { out: OUT, name: 'supervisor-rankings-departments' })

  await page.locator('.topbar a', { hasText: '审计日志' }).click()
  await page.locator('[data-test=audit-table] .el-table__row').first().waitFor({ timeout: 30000 })
  check(!(await page.locator('[data-test=audit-error]').count()), 'the supervisor reads the audit log')
  await checkScreen(page, { out: OUT, name: 'supervisor-audit' })

  // ===== dispatcher: review queue, paging, number search, dispatch with the subject tree =====
  await login('dispatcher', '/workbench')
  await page.locator('[data-test=inbox] .el-table__row').first().waitFor({ timeout: 60000 })
  const disp = await token('dispatcher')
  const inbox = (await call('GET', '/orders?status=received,return_requested,extension_requested,replied,visited&page_size=1', disp)).json.total
  const inboxTotal = async () => Number((await page.locator('[data-test=inbox-total]').textContent()).replace(/\D/g, ''))
  const shownTotal = await until(inboxTotal, (n) => n === inbox)
  check(shownTotal === inbox, `the inbox counts ${shownTotal} orders, as the API (${inbox})`)
  await checkScreen(page, { out: OUT, name: 'dispatcher-inbox', allow: [/\d{10,}/] })
  const pages = Math.ceil(inbox / 50)
  check(pages >= 2, `the inbox has ${pages} pages of 50`)
  const seen = new Set((await page.locator('[data-test=inbox] .el-table__row td:nth-child(2)').allTextContents()).map((s) => s.trim()))
  await page.locator('[data-test=inbox-pager] .number').last().click()
  const last = await until(async () => (await page.locator('[data-test=inbox] .el-table__row td:nth-child(2)').allTextContents()).map((s) => s.trim()),
    (l) => l.length === inbox - 50 * (pages - 1) && l.every((n) => !seen.has(n)))
  check(last.length === inbox - 50 * (pages - 1) && last.every((n) => !seen.has(n)), `the last page (${pages}) holds the remaining ${last.length} orders, none from page 1`)
  await checkScreen(page, { out: OUT, name: 'dispatcher-inbox-last-page', allow: [/\d{10,}/] })

  await page.locator('[data-test=review-filter]').click()
  const reviewTotal = await until(inboxTotal, (n) => n === review.json.total)
  const reviewRows = await page.locator('[data-test=inbox] .el-table__row').count()
  check(reviewTotal === review.json.total && reviewRows === Math.min(50, reviewTotal) && !(await page.locator('.unavailable').count()),
    `待确认智能分派 counts the ${reviewTotal} orders waiting with a suggestion and shows the first ${reviewRows}`)
  await checkScreen(page, { out: OUT, name: 'dispatcher-review-queue', allow: [/\d{10,}/] })
  await page.locator('[data-test=review-filter]').click()
  check((await until(inboxTotal, (n) => n === inbox)) === inbox, 'switching the review queue off shows the whole inbox again')

  // Order-number search opens the order.
  await inp(page, 'inbox-search').fill(fresh[1].no)
  await inp(page, 'inbox-search').press('Enter')
  await page.locator('[data-test=order-no]', { hasText: fresh[1].no }).waitFor({ timeout: 30000 })
  const rows = await page.locator('[data-test=inbox] .el-table__row').allTextContents()
  check(rows.length === 1 && rows[0].includes(fresh[1].no), `searching ${fresh[1].no} finds that order`)

  // A refused dispatch (a department matter pushed down to a street) shows the reason, then the
  // subject tree picks a category and the dispatch goes through.
  await page.locator('[data-test=action-dispatch]').click()
  const dlg = page.locator('.el-dialog:visible')
  await dlg.waitFor()
  await page.locator('.el-select[data-test=f-subject]').click()
  await page.keyboard.type('路灯')
  const leaf = page.locator('.subject-tree-popper .el-tree-node__content:visible', { hasText: '路灯不亮' }).first()
  await leaf.waitFor({ timeout: 30000 })
  await checkScreen(page, { out: OUT, name: 'dispatcher-subject-tree', allow: [/\d{10,}/] })
  await leaf.click()
  await page.locator('[data-test=f-lead-unit]').click()
  await page.keyboard.type('洪家楼')
  await page.locator('.el-select-dropdown__item:visible', { hasText: '洪家楼街道' }).first().click()
  await page.locator('[data-test=action-confirm]:visible').click()
  const err = page.locator('[data-test=action-error]')
  await err.waitFor({ timeout: 30000 })
  const errText = (await err.textContent()).trim()
  check(errText.length > 0 && !/^[a-z_]+:/.test(errText), `a refused dispatch shows the server's reason without a field name: "${errText.slice(0, 80)}"`)
  await checkScreen(page, { out: OUT, name: 'dispatcher-dispatch-refused', allow: [/\d{10,}/] })
  await page.locator('[data-test=f-lead-unit]').hover()
  await page.locator('[data-test=f-lead-unit] .el-select__clear').first().click()
  await page.locator('[data-test=action-confirm]:visible').click()
  await dlg.waitFor({ state: 'hidden', timeout: 60000 })
  const after = (await call('GET', '/orders/' + fresh[1].id, disp)).json
  check(after.state === 'dispatched' && after.subject?.code?.length === 6 && after.subject.name.includes('路灯'), `dispatched with subject ${after.subject?.code} ${after.subject?.name} to ${after.lead_unit?.name}`)
  await checkScreen(page, { out: OUT, name: 'dispatcher-dispatched', allow: [/\d{10,}/] })

  // ===== the supervisor's report on a phone (390×844) =====
  {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', timezoneId: 'UTC', isMobile: true, hasTouch: true })
    const p = await phone.newPage()
    const sup = await token('supervisor')
    const me = (await call('GET', '/me', sup)).json
    await p.goto(URL_ + '/login')
    await p.evaluate(([t, u]) => localStorage.setItem('hotline.session', JSON.stringify({ token: t, user: u })), [sup, me])
    await p.goto(URL_ + '/reports')
    await p.locator('[data-test=reports] .sheet').first().waitFor({ timeout: 60000 })
    await checkScreen(p, { out: OUT, name: 'supervisor-report-phone' })
    await p.goto(URL_ + '/reports?tab=rankings')
    await p.locator('[data-test=ranking-table] .el-table__row').first().waitFor({ timeout: 30000 })
    await checkScreen(p, { out: OUT, name: 'supervisor-rankings-phone' })
    await phone.close()
  }

  // ===== admin, last: unlock (needs admin unlock on the server: locked_until, failed_logins,
  // POST /users/{id}/unlock) =====
  // Unlock: wrong passwords until the server locks her (admin unlock: locked_until, failed_logins,
  // POST /users/{id}/unlock).
  let locked = null
  for (let i = 0; i < 20 && !locked; ++i) {
    await token(login1, 'wrong-' + i)
    const me = (await call('GET', '/users?role=handler', admin)).json.items.find((u) => u.login === login1)
    check(me && 'locked_until' in me, 'GET /users reports locked_until (admin unlock is on this server)')
    if (me.locked_until) locked = me
  }
  check(!!locked, `${login1} is locked after repeated wrong passwords`)
  await login('admin', '/dashboard')
  await tab('users')
  await inp(page, 'user-search').fill(login1)
  await page.locator('[data-test=user-role-filter]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '承办人' }).first().click()
  await page.locator(`[data-test=unlock-${login1}]`).waitFor({ timeout: 30000 })
  await checkScreen(page, { out: OUT, name: 'admin-user-locked', allow: await loginsShown() })
  await page.locator(`[data-test=unlock-${login1}]`).click()
  await saved()
  check(!!(await token(login1, 'second-pass-2')), 'unlocked, she logs in again')

} catch (e) {
  failed = true
  console.error(e.stack || String(e))
  await globalThis.lastPage?.screenshot({ path: path.join(OUT, 'failure.png'), fullPage: true }).catch(() => {})
  console.error('screenshot of the failure: ' + path.join(OUT, 'failure.png'))
} finally {
  await browser.close()
}
if (failed) process.exit(1)
console.log('admin, report and dispatcher screens passed; screenshots in ' + OUT)
