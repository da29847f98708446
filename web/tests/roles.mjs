// Every role's screens in a real browser (Debian's Chromium driven by playwright-core), at a
// desktop size (1440×900) and a phone size (390×844), in a browser whose time zone is UTC (the
// city's time must still be shown: Asia/Shanghai). Every screen is screenshotted to --out and
// checked by ui_checks.mjs: nothing sticks out sideways, no label or order number is squeezed
// or cut, and no visible text in zh-CN is English.
// On the phone size two flows run end to end: the grid worker reports from patrol with a point
// on the map and then handles an order of the grid (sign, reply); the citizen submits, follows
// it in 我的工单, sees the reply and rates it.
//
//   node tests/roles.mjs --url http://127.0.0.1:8101 --out ../build/asan/web-roles [--chromium /usr/bin/chromium]
//   [--only desktop|phone] [--role grid_worker|dashboard]   (a subset while working on one screen)
import { chromium } from 'playwright-core'
import path from 'node:path'
import { checkScreen } from './ui_checks.mjs'

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : 'true'])
  return acc
}, []))
const URL_ = (args.url || 'http://127.0.0.1:8080').replace(/\/$/, '')
const OUT = path.resolve(args.out || 'roles-screenshots')
const CHROMIUM = args.chromium || '/usr/bin/chromium'
const SIZES = { desktop: { width: 1440, height: 900 }, phone: { width: 390, height: 844 } }
// Latin a screen may show besides ui_checks' allow-list: order numbers (they are the orders'
// names) and subject codes are digits, so nothing else is needed here.
const ALLOW = []

let failures = 0
function check(cond, what) {
  if (!cond) throw new Error('FAILED: ' + what)
  console.log('ok   ' + what)
}

// ---- the API, for setting the stage (who is who, an order to handle) ----
async function apiCall(method, p, token, body) {
  const r = await fetch(URL_ + '/api/v1' + p, {
    method, headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await r.text()
  let js = null
  try { js = JSON.parse(text) } catch { /* not JSON */ }
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text.slice(0, 300)}`)
  return js
}
const tokens = {}
async function tokenOf(login) {
  if (!tokens[login]) tokens[login] = (await apiCall('POST', '/auth/login', null, { login, password: 'demo' })).token
  return tokens[login]
}

// The demo's people: fixed logins where the demo names them, else the first user of the role
// whose unit is of the wanted kind.
async function people() {
  const admin = await tokenOf('admin')
  const users = async (role) => { const r = await apiCall('GET', '/users?role=' + role, admin); return Array.isArray(r) ? r : r.items || [] }
  const handlers = await users('handler')
  const grid = (await users('grid_worker'))[0]
  const byKind = (kind) => handlers.find((u) => u.unit?.kind === kind)
  const found = {
    citizen: { login: 'citizen' }, agent: { login: 'agent' }, dispatcher: { login: 'dispatcher' },
    street: byKind('street'), department: byKind('department'), community: byKind('community'),
    grid_worker: grid, supervisor: { login: 'supervisor' }, admin: { login: 'admin' },
  }
  for (const [k, v] of Object.entries(found)) check(v && v.login, `the demo has a ${k} user (${v?.login})`)
  return found
}

// ---- the browser ----
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] })

async function newPage(size) {
  const ctx = await browser.newContext({ viewport: SIZES[size], locale: 'zh-CN', timezoneId: 'UTC', deviceScaleFactor: 1 })
  const page = await ctx.newPage()
  page.errors = []
  page.badCalls = []
  page.on('pageerror', (e) => { page.errors.push(e.message); console.log('page error: ' + e.message) })
  page.on('response', (r) => {
    const u = r.url()
    if (u.includes('/api/v1/') && r.status() >= 400 && r.status() !== 401) page.badCalls.push(`${r.request().method()} ${u.replace(URL_, '')} -> ${r.status()}`)
  })
  return page
}

async function login(page, user, landing) {
  await page.goto(URL_ + '/login')
  await page.locator('[data-test=login]').fill(user)
  await page.locator('[data-test=password]').fill('demo')
  await page.locator('[data-test=login-submit]').click()
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 60000 })
  const p = new URL(page.url()).pathname
  if (landing) check(p === landing, `${user} lands on ${landing} (got ${p})`)
}

// Let a screen settle: no request in flight for a moment, no panel still loading.
async function settle(page) {
  await page.waitForLoadState('networkidle', { timeout: 120000 }).catch(() => {})
  await page.waitForFunction(() => !document.body.innerText.includes('加载中') &&
    ![...document.querySelectorAll('.el-loading-mask')].some((m) => m.offsetParent !== null), null, { timeout: 180000 }).catch(() => {})
  await page.waitForTimeout(300)  // Leaflet's fitBounds and ECharts' first frame (not an assertion)
}

async function screen(page, name, opts = {}) {
  await settle(page)
  try {
    await checkScreen(page, { out: OUT, name, allow: ALLOW, ...opts })
  } catch (e) {
    failures += 1
    console.log(e.message)
  }
}

// Goes to a screen through the top bar, as a user would (on phones: the ☰ menu).
async function nav(page, size, href) {
  if (size === 'phone') {
    await page.locator('[data-test=menu]').click()
    await page.locator(`[data-test=nav] a[href="${href}"]`).click()
  } else {
    await page.locator(`[data-test=topbar] a[href="${href}"]`).click()
  }
  await page.waitForURL((u) => u.pathname === href, { timeout: 30000 })
}

// Opens the first order of the inbox (table row on desktops, card on phones).
async function openFirstOrder(page, size) {
  const first = size === 'phone' ? page.locator('[data-test=inbox-cards] .ocard').first()
    : page.locator('[data-test=inbox] .el-table__row').first()
  if (!(await first.waitFor({ timeout: 60000 }).then(() => true).catch(() => false))) return false
  await first.click()
  await page.locator('[data-test=order-no]').waitFor({ timeout: 60000 })
  return true
}

// The screens of one role at one size.
async function tour(role, who, size) {
  const page = await newPage(size)
  const tag = `${role}-${size}`
  const landing = { citizen: '/citizen', agent: '/agent', supervisor: '/dashboard', admin: '/dashboard' }[role] || '/workbench'
  await login(page, who.login, landing)
  await screen(page, tag + '-landing')
  // The wall-screen dashboard has no top bar: its users' other screens start at the workbench.
  if (landing === '/dashboard') {
    await page.goto(URL_ + '/workbench')
    await screen(page, tag + '-workbench')
  }
  // The top bar: one line, every link reachable (phones: in the menu).
  const bar = await page.locator('[data-test=topbar]').boundingBox().catch(() => null)
  if (bar) check(bar.height <= 56, `${tag}: the top bar is one line (${Math.round(bar.height)} px high)`)
  if (size === 'phone' && bar) {
    await page.locator('[data-test=menu]').click()
    await page.locator('[data-test=nav]').waitFor()
    await screen(page, tag + '-menu')
    await page.locator('[data-test=menu]').click()
  }
  const home = new URL(page.url()).pathname
  const links = bar ? await page.locator('[data-test=nav] a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))) : []
  for (const href of links) {
    if (href === landing || href === home) continue
    if (href === '/dashboard') {
      await page.goto(URL_ + '/dashboard')
    } else {
      await nav(page, size, href)
    }
    await screen(page, tag + href.replace(/\//g, '-'))
    if (href === '/dashboard') await page.goto(URL_ + home)
  }
  if (links.includes('/workbench') || landing === '/workbench') {
    if (new URL(page.url()).pathname !== '/workbench') await page.goto(URL_ + '/workbench')
    if (await openFirstOrder(page, size)) {
      await screen(page, tag + '-order')
      const kpi = await page.locator('[data-test=action-exclude_from_kpi], [data-test=action-include_in_kpi]').count()
      check(kpi <= 1, `${tag}: at most one of 剔除考核 / 恢复考核 is offered (${kpi})`)
      const due = (await page.locator('[data-test=order-due]').textContent()).trim()
      check(due === '—' || /^(\d{4}年)?\d{1,2}月\d{1,2}日 \d\d:\d\d$/.test(due), `${tag}: the deadline reads as a Chinese date (${due})`)
    } else {
      console.log(`info ${tag}: the inbox is empty`)
    }
  }
  check(page.errors.length === 0, `${tag}: no script errors (${page.errors.join('; ')})`)
  await page.context().close()
}

// ---- the grid worker on the phone: patrol report with a point, then an order of the grid ----
async function gridWorkerFlow(who) {
  const page = await newPage('phone')
  await login(page, who.login, '/workbench')
  await nav(page, 'phone', '/patrol')
  await page.locator('[data-test=patrol-content]').fill('巡查发现小区北门路灯不亮，夜间出行不便，请尽快维修')
  const map = page.locator('[data-test=patrol-map] .leaflet-interactive').first()
  await map.waitFor({ timeout: 30000 })
  const box = await page.locator('[data-test=patrol-form]').boundingBox()
  check(box.width >= 360, `the patrol form is full width on the phone (${Math.round(box.width)} px)`)
  await map.click({ force: true })
  await screen(page, 'grid-phone-patrol-filled')
  await page.locator('[data-test=patrol-submit]').click()
  await page.locator('[data-test=patrol-created-no]').waitFor({ timeout: 60000 })
  const no = (await page.locator('[data-test=patrol-created-no]').textContent()).trim()
  check(no.length > 0, `the grid worker's patrol report is order ${no}`)
  await screen(page, 'grid-phone-patrol-created')

  // The dispatcher sends it to the worker's grid (if intake did not already).
  const disp = await tokenOf('dispatcher')
  const found = await apiCall('GET', '/orders?q=' + encodeURIComponent(no) + '&page_size=5', disp)
  let order = (found.items || []).find((o) => o.no === no)
  if (!order) order = (await apiCall('GET', '/orders?status=received&sort=newest&page_size=20', disp)).items.find((o) => o.no === no)
  check(!!order, `the dispatcher finds ${no}`)
  if (order.state === 'received') {
    // The city's dispatcher classifies it (a subject from the taxonomy) and names the grid as
    // lead: past the district's office (越级派单), which needs the reason.
    order = await apiCall('POST', `/orders/${order.id}/actions/dispatch`, disp,
      { lead_unit: who.unit.id, subject_code: order.subject?.code || order.suggestion?.subject_code || '120402', expect_version: order.version,
        text: '网格员巡查上报，属地明确，直接派至网格办理' })
  }
  check(order.lead_unit?.id === who.unit.id, `${no} is led by the worker's grid ${who.unit.name} (${order.lead_unit?.name})`)

  // The worker finds it in the inbox (whole number on a card), opens, signs and replies.
  await nav(page, 'phone', '/workbench')
  const card = page.locator(`[data-test="card-${no}"]`)
  await card.waitFor({ timeout: 60000 })
  await screen(page, 'grid-phone-inbox')
  await card.click()
  await page.locator('[data-test=order-no]', { hasText: no }).waitFor({ timeout: 60000 })
  await screen(page, 'grid-phone-order')
  await act(page, 'sign')
  await page.locator('[data-test=order-state]', { hasText: '办理中' }).waitFor({ timeout: 60000 })
  await page.locator('[data-test=action-reply]').click()
  const dlg = page.locator('.el-dialog:visible')
  await dlg.waitFor()
  await page.waitForTimeout(300)
  check(await page.locator('.el-picker__popper:visible, .el-date-picker:visible').count() === 0, 'the reply dialog opens without a date picker over the form')
  await dlg.locator('[data-test=f-actions-taken]').fill('已联系路灯所，更换灯泡两只')
  await dlg.locator('[data-test=f-public-text]').fill('经现场核查，北门路灯已修复')
  await screen(page, 'grid-phone-reply-dialog')
  await page.locator('[data-test=action-confirm]:visible').click()
  await page.locator('[data-test=order-state]', { hasText: '已答复' }).waitFor({ timeout: 60000 })
  await screen(page, 'grid-phone-replied')
  const tl = await page.locator('[data-test=timeline]').textContent()
  check(!/已受理\s*→\s*已受理/.test(tl), 'the timeline\'s intake step does not read 已受理 → 已受理')
  check(page.errors.length === 0, 'grid worker flow: no script errors')
  await page.context().close()
}

async function act(page, action) {
  await page.locator(`[data-test=action-${action}]`).click()
  const dlg = page.locator('.el-dialog:visible')
  await dlg.waitFor()
  await page.locator('[data-test=action-confirm]:visible').click()
  await dlg.waitFor({ state: 'hidden', timeout: 60000 }).catch(async () => {
    throw new Error(`action ${action} failed: ` + await page.locator('[data-test=action-error]').textContent().catch(() => ''))
  })
}

// ---- the citizen on the phone: submits, follows, sees the reply, rates ----
async function citizenFlow() {
  const page = await newPage('phone')
  await login(page, 'citizen', '/citizen')
  // An empty appeal: the server's refusal in Chinese, naming the field.
  await page.locator('[data-test=cit-submit]').click()
  await page.locator('[data-test=cit-error]').waitFor({ timeout: 30000 })
  const err = (await page.locator('[data-test=cit-error]').textContent()).trim()
  check(err.includes('诉求内容') && !/[A-Za-z]{2,}/.test(err), `an empty appeal is refused in Chinese naming the field (${err})`)
  await screen(page, 'citizen-phone-error')
  await page.locator('[data-test=cit-content]').fill('小区门口人行道地砖松动多处，老人孩子容易绊倒，请尽快修补')
  await page.locator('[data-test=cit-address]').fill('洪家楼街道花园路')
  await page.locator('[data-test=cit-map] .leaflet-interactive').first().waitFor({ timeout: 30000 })
  await page.locator('[data-test=cit-map] .leaflet-interactive').nth(2).click({ force: true })
  await page.locator('[data-test=cit-picked]').waitFor()
  const form = await page.locator('[data-test=citizen-form]').boundingBox()
  check(form.width >= 360, `the citizen's form is one full-width column (${Math.round(form.width)} px)`)
  await page.locator('[data-test=cit-submit]').click()
  await page.locator('[data-test=cit-created-no]').waitFor({ timeout: 60000 })
  const no = (await page.locator('[data-test=cit-created-no]').textContent()).trim()
  const mine = page.locator(`[data-test="mine-${no}"]`)
  await mine.waitFor({ timeout: 60000 })
  await screen(page, 'citizen-phone-submitted')

  // The time shown is the city's (+08:00) although the browser runs in UTC.
  const token = await tokenOf('citizen')
  const listed = (await apiCall('GET', '/orders?sort=newest&page_size=5', token)).items.find((o) => o.no === no)
  check(/\+08:00$/.test(listed.created_at), `the API's time carries its offset (${listed.created_at})`)
  const expect = listed.created_at.slice(0, 16).replace('T', ' ')
  check((await mine.textContent()).includes(expect), `a UTC browser shows the city's time ${expect}`)
  // Paging of 我的工单 (the demo citizen has more than a page).
  if (await page.locator('[data-test=mine-pager]').count()) {
    const pager = await page.locator('[data-test=mine-pager]').boundingBox()
    check(pager.width <= 390, '我的工单 pages fit the phone')
  }

  // The agent answers it; the citizen sees the answer and rates it.
  const agent = await tokenOf('agent')
  await apiCall('POST', `/orders/${listed.id}/actions/answer`, agent, { expect_version: listed.version, reply: { public_text: '已转交街道办事处，三个工作日内修补完毕' } })
  await page.reload()
  await mine.filter({ hasText: '三个工作日内修补完毕' }).waitFor({ timeout: 60000 })
  await screen(page, 'citizen-phone-answered')
  await mine.locator('[data-test=rate-satisfied]').click()
  await mine.locator('[data-test=rate-submit]').click()
  await page.locator(`[data-test="mine-rating-${no}"]`, { hasText: '满意' }).waitFor({ timeout: 60000 })
  await screen(page, 'citizen-phone-rated')
  check(page.errors.length === 0, 'citizen flow: no script errors')
  await page.context().close()
}

// ---- public tracking at both sizes: 工单号 and 受理时间 on one line ----
async function trackScreens() {
  const agent = await tokenOf('agent')
  const phone = '1390531' + String(Date.now() % 10000).padStart(4, '0')
  const o = await apiCall('POST', '/orders', agent, { channel: 'hotline', nature: 'consultation', caller: { name: '李女士', phone },
    content: '咨询社区养老服务中心的开放时间和报名方式', place: { address: '洪家楼街道' } })
  for (const size of ['desktop', 'phone']) {
    const page = await newPage(size)
    await page.goto(URL_ + '/track')
    await page.locator('[data-test=track-no]').fill(o.no)
    await page.locator('[data-test=track-phone]').fill(phone)
    await page.locator('[data-test=track-submit]').click()
    await page.locator('[data-test=track-result]').waitFor({ timeout: 60000 })
    await screen(page, `track-${size}`)
    const shown = (await page.locator('[data-test=track-created]').textContent()).trim()
    check(shown === o.created_at.slice(0, 16).replace('T', ' '), `/track shows the city's time (${shown})`)
    await page.context().close()
  }
}

// ---- the login screen: wrong password in Chinese ----
async function loginScreens() {
  for (const size of ['desktop', 'phone']) {
    const page = await newPage(size)
    await page.goto(URL_ + '/login')
    await page.locator('[data-test=login]').fill('agent')
    await page.locator('[data-test=password]').fill('wrong-password')
    await page.locator('[data-test=login-submit]').click()
    await page.locator('[data-test=login-error]').waitFor({ timeout: 30000 })
    const err = (await page.locator('[data-test=login-error]').textContent()).trim()
    check(err.includes('账号或密码错误'), `a wrong password is refused in Chinese (${err})`)
    await screen(page, `login-${size}-error`)
    await page.context().close()
  }
}

// ---- the agent console: typing only a phone asks nothing the server refuses ----
async function agentPhoneOnly() {
  const page = await newPage('desktop')
  await login(page, 'agent', '/agent')
  await page.locator('[data-test=phone]').fill('13905310000')
  await page.waitForLoadState('networkidle').catch(() => {})
  await page.waitForTimeout(800)  // the console debounces its lookups (not an assertion on time)
  const bad = page.badCalls.filter((c) => c.includes('/suggest'))
  check(bad.length === 0, `a phone alone makes no refused /suggest call (${bad.join(', ')})`)
  await page.context().close()
}

// ---- the agent console: a neighbour's few words about the same matter at the same compound ----
async function agentSameCompound() {
  const agent = await tokenOf('agent')
  const first = await apiCall('POST', '/orders', agent, { channel: 'hotline', nature: 'complaint', subject_code: '100501',
    content: '洪家楼街道鑫达小区1号楼2单元这几天暖气一直不热，家里室温只有十三四度，老人孩子受不了，多次打供热公司电话无人处理',
    caller: { name: '王先生', phone: '13905319876' }, place: { address: '洪家楼街道鑫达小区1号楼' } })
  const page = await newPage('desktop')
  await login(page, 'agent', '/agent')
  await page.locator('[data-test=phone]').fill('13905311234')
  await page.locator('[data-test=content]').fill('3号楼暖气不热')
  await page.locator('[data-test=address]').fill('鑫达小区3号楼')
  await page.locator('[data-test=subject]').click()
  await page.keyboard.type('100501')
  const opt = page.locator('.el-select-dropdown__item:visible', { hasText: '100501' }).first()
  await opt.waitFor({ timeout: 30000 })
  await opt.click()
  await page.keyboard.press('Escape')
  const dup = page.locator('[data-test=suggest-dup]', { hasText: first.no })
  await dup.waitFor({ timeout: 30000 }).catch(() => {})
  const text = (await dup.count()) ? (await dup.first().textContent()).trim() : ''
  check(text.includes('同一小区同类诉求'), `the open heating order of the same compound is suggested (${text || 'none'})`)
  await screen(page, 'agent-same-compound')
  await page.context().close()
}

// ---- the dashboard opens at the user's level (issue 14): the city's dispatcher sees the city
// and drills city → district → street → community → grid on the map; 历下区's dispatcher sees
// 历下区 only (its streets, the ranking within it, its rank in the city) ----
async function dashboardLevels() {
  const features = (page) => page.evaluate(() => [...document.querySelectorAll('[data-test=panel-map] path.leaflet-interactive')].length)
  const crumbs = async (page) => (await page.locator('[data-test=crumbs]').textContent()).replace(/\s+/g, '')
  // Clicks the map's first shape and waits for the crumbs to name one more level.
  async function drillOnce(page, depth) {
    const before = await crumbs(page)
    await page.locator('[data-test=panel-map] path.leaflet-interactive').first().click({ force: true })
    await page.waitForFunction(([sel, n]) => (document.querySelector(sel)?.textContent || '').split('›').length === n,
      ['[data-test=crumbs]', depth + 1], { timeout: 60000 })
    const after = await crumbs(page)
    check(after.startsWith(before) && after.length > before.length, `the map drills one level down: ${after}`)
  }

  const city = await newPage('desktop')
  await login(city, 'dispatcher', '/workbench')
  await city.goto(URL_ + '/dashboard')
  await city.locator('[data-test=panel-districts] tr').first().waitFor({ timeout: 60000 })
  check((await city.locator('[data-test=dash-scope]').textContent()).includes('全市'), 'the city dispatcher\'s dashboard is the city\'s (全市)')
  const districtRows = await city.locator('[data-test=panel-districts] tr').allTextContents()
  check(['历下区', '市中区', '历城区'].every((n) => districtRows.some((r) => r.includes(n))), `the city ranks its districts: ${districtRows.slice(0, 3).join(' / ')}`)
  check((await crumbs(city)) === '全市', 'the map starts at the city')
  await settle(city)
  const cityShapes = await features(city)
  check(cityShapes === 3, `the city's map shows its three districts with data (${cityShapes} shapes)`)
  await screen(city, 'dashboard-city')
  for (let depth = 1; depth <= 3; ++depth) {
    await drillOnce(city, depth)
    await settle(city)
    const drawn = await city.waitForFunction(() => document.querySelectorAll('[data-test=panel-map] path.leaflet-interactive').length > 0,
      null, { timeout: 60000 }).then(() => true).catch(() => false)
    check(drawn, `level ${depth + 1} of the map has shapes (${await features(city)})`)
  }
  const path4 = await crumbs(city)
  check(path4.split('›').length === 4, `city → district → street → community: ${path4}`)
  await screen(city, 'dashboard-city-drilled-to-grids')
  // At the grids, a click opens the grid's orders instead of drilling further.
  await city.locator('[data-test=panel-map] path.leaflet-interactive').first().click({ force: true })
  await city.locator('[data-test=drill-orders]').waitFor({ timeout: 60000 })
  check(true, 'a grid on the map opens its orders')
  check(city.errors.length === 0, `city dashboard: no script errors (${city.errors.join('; ')})`)
  await city.context().close()

  const lx = await newPage('desktop')
  await login(lx, 'lx_dispatcher', '/workbench')
  await lx.goto(URL_ + '/dashboard')
  await lx.locator('[data-test=dash-scope]').waitFor({ timeout: 60000 })
  check((await lx.locator('[data-test=dash-scope]').textContent()).includes('历下区'), '历下区\'s dispatcher\'s dashboard is 历下区\'s')
  await lx.locator('[data-test=district-rank]').waitFor({ timeout: 60000 })
  const rank = (await lx.locator('[data-test=district-rank]').textContent()).trim()
  check(/全市第 \d+ 名/.test(rank), `历下区 sees its own rank in the city: ${rank}`)
  const lxDistrictRows = await lx.locator('[data-test=panel-districts] tr').allTextContents()
  check(lxDistrictRows.length === 1 && lxDistrictRows[0].includes('历下区'), `the district ranking shows 历下区's row only (${lxDistrictRows.length})`)
  const lxToken = await tokenOf('lx_dispatcher')
  const month = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7)
  const lxStreets = (await apiCall('GET', '/rankings?kind=street&month=' + month, lxToken)).rows
  check(lxStreets.length === 13 && lxStreets.every((r) => r.unit.code.startsWith('370102')), `the street ranking is within 历下区 (${lxStreets.length} streets)`)
  const streetRows = await lx.locator('[data-test=panel-streets] tr').allTextContents()
  const lxNames = new Set(lxStreets.map((r) => r.unit.name))
  check(streetRows.length > 0 && streetRows.every((r) => [...lxNames].some((n) => r.includes(n))), `the dashboard's street ranking lists 历下区's streets: ${streetRows.slice(0, 3).join(' / ')}`)
  check((await crumbs(lx)).endsWith('历下区'), `the map starts inside 历下区: ${await crumbs(lx)}`)
  await settle(lx)
  const lxShapes = await features(lx)
  check(lxShapes === 13, `历下区's map shows its 13 streets (${lxShapes} shapes)`)
  const grids = await apiCall('GET', '/map/grids?level=street', lxToken)
  check(grids.features.every((f) => f.properties.code.startsWith('370102')), `GET /map/grids gives 历下区's dispatcher 历下区's streets only (${grids.features.length})`)
  await screen(lx, 'dashboard-lixia')
  await drillOnce(lx, 2)
  await settle(lx)
  await screen(lx, 'dashboard-lixia-street')
  check(lx.errors.length === 0, `Lixia dashboard: no script errors (${lx.errors.join('; ')})`)
  await lx.context().close()
}

try {
  const who = await people()
  const sizes = args.only ? [args.only] : ['desktop', 'phone']
  const roles = args.role ? [args.role].filter((r) => r in who) : Object.keys(who)
  if (!args.role) {
    await loginScreens()
    await trackScreens()
    await agentPhoneOnly()
    await agentSameCompound()
  }
  for (const size of sizes) for (const role of roles) await tour(role, who[role], size)
  if (!args.role || args.role === 'grid_worker') await gridWorkerFlow(who.grid_worker)
  if (!args.role || args.role === 'citizen') await citizenFlow()
  if (!args.role || args.role === 'dashboard') await dashboardLevels()
  if (failures) throw new Error(`${failures} screen(s) failed their checks (see FAILED above)`)
  console.log('roles: all screens passed')
} finally {
  await browser.close()
}
