// The one HTTP client: token from the session, JSON in and out, errors as ApiError naming the
// field the server named. `unavailable` marks endpoints this server does not have yet (404 on
// the route itself), so screens can say so instead of showing made-up numbers.
import { reactive } from 'vue'
import { i18n } from './i18n'

export interface UnitRef { id: number; code?: string; name: string; kind?: string }
export interface User {
  id: number; login: string; display_name: string; role: string; role_label?: string
  unit?: UnitRef | null
}
export interface Order {
  id: number; no: string; state: string; state_label?: string; version: number
  channel: string; channel_label?: string; nature: string; nature_label?: string
  urgency?: string; urgency_label?: string
  subject?: { code: string; name: string } | null
  title: string; content?: string
  caller?: { name?: string; phone?: string; id_no?: string }
  pii_masked?: boolean; identity_hidden?: boolean; confidential?: boolean
  place?: { grid?: UnitRef | null; community?: UnitRef | null; street?: UnitRef | null; address?: string; lon?: number | null; lat?: number | null }
  lead_unit?: UnitRef | null; assist_units?: UnitRef[]
  created_at?: string; due_at?: string; sign_due?: string; replied_at?: string
  light?: string; light_label?: string; supervised?: boolean
  reply?: { direct?: boolean; public_text?: string; resolved?: boolean; actions_taken?: string; contacted_at?: string; contact_method?: string } | null
  callback?: { rating?: string; rating_label?: string; at?: string } | null
  pending_request?: string | null; pending_extension_days?: number
  merged_into?: number | null
  suggestion?: any
  duplicates?: Duplicate[]
  actions?: string[]
}
export interface Duplicate { id: number; no: string; title: string; state: string; state_label?: string; score?: number; reason?: string }
export interface OrderEvent {
  id: number; at: string; action: string; action_label?: string; from?: string; from_label?: string
  to?: string; to_label?: string; user?: { display_name: string } | null; unit?: { name: string } | null
  text?: string; data?: any
}

// `message` is what the user reads, in the UI's language: in zh-CN a Chinese sentence built from
// the error code and the field (the server's English sentence is never shown in zh-CN); in
// English the server's own sentence. `detail` is always the server's sentence.
export class ApiError extends Error {
  constructor(public status: number, public code: string, public field: string, public detail: string) {
    super(errorText(status, code, field, detail))
  }
  // The route does not exist on this server (as opposed to "this order does not exist").
  get unavailable(): boolean {
    // The router answers an unknown path with 404 naming the field "path".
    return (this.status === 404 && this.field === 'path') || this.status === 405 || this.status === 501
  }
}

// The field's name for people: "reply.public_text" -> 答复内容 (message keys spell the path with
// "_": vue-i18n reads a dot in a key as a path, so 'field.reply.public_text' is never found); a
// field the UI does not know by its last part, else as it is (English mode) or 该项 (zh-CN).
export function fieldLabel(field: string): string {
  const t = i18n.global.t, te = i18n.global.te
  const path = field.replace(/\[\d+\]/g, '')
  const key = 'field.' + path.replace(/\./g, '_')
  if (te(key)) return t(key)
  const base = path.split('.').pop() || ''
  if (base && te('field.' + base)) return t('field.' + base)
  return i18n.global.locale.value === 'en' ? field : '该项'
}

export function errorText(status: number, code: string, field: string, detail: string): string {
  const t = i18n.global.t
  const zh = i18n.global.locale.value !== 'en'
  if (!zh && detail) return (field ? field + ': ' : '') + detail
  const f = field ? fieldLabel(field) : ''
  const missing = /required|missing|empty|must be given|is needed/i.test(detail)
  if (status === 429) return t('err.too_many')
  switch (code) {
    case 'invalid_argument': return f ? t(missing ? 'err.required' : 'err.invalid_argument', { field: f }) : t('err.invalid_plain')
    case 'not_found': return f && field !== 'path' ? t('err.not_found', { field: f }) : t('err.not_found_plain')
    case 'conflict': return /exist|duplicate|taken/i.test(detail) && f ? t('err.conflict_dup', { field: f }) : t('err.conflict')
    case 'failed_precondition': return f ? t('err.failed_precondition_field', { field: f }) : t('err.failed_precondition')
    case 'forbidden': return t('err.forbidden')
    case 'unauthenticated': return /password|login/i.test(detail) ? t('err.wrong_password') : t('err.unauthenticated')
    case 'unavailable': return t('err.unavailable')
    case 'internal': return t('err.internal')
  }
  if (status === 0) return t('err.network')
  return status >= 500 ? t('err.internal') : t('err.invalid_plain')
}

const KEY = 'hotline.session'

export const session = reactive<{ token: string; user: User | null }>(
  (() => {
    try {
      const s = JSON.parse(localStorage.getItem(KEY) || 'null')
      if (s && s.token) return s
    } catch { /* ignore */ }
    return { token: '', user: null }
  })(),
)

export function saveSession(token: string, user: User | null) {
  session.token = token
  session.user = user
  if (token) localStorage.setItem(KEY, JSON.stringify({ token, user }))
  else localStorage.removeItem(KEY)
}

export async function api<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const h: Record<string, string> = { Accept: 'application/json', ...headers }
  if (session.token) h.Authorization = 'Bearer ' + session.token
  let payload: string | undefined
  if (body !== undefined) {
    h['Content-Type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  let r: Response
  try {
    r = await fetch('/api/v1' + path, { method, headers: h, body: payload })
  } catch (e: any) {
    throw new ApiError(0, 'network', '', String(e?.message || e))
  }
  const text = await r.text()
  let js: any = null
  try { js = text ? JSON.parse(text) : null } catch { js = null }
  if (!r.ok) {
    const e = js && js.error ? js.error : {}
    if (r.status === 401 && path !== '/auth/login') {
      saveSession('', null)
      if (!location.pathname.startsWith('/login')) location.assign('/login?next=' + encodeURIComponent(location.pathname + location.search))
    }
    throw new ApiError(r.status, e.code || '', e.field || '', e.message || r.statusText || String(r.status))
  }
  return js as T
}

export const get = <T = any>(path: string) => api<T>('GET', path)
export const post = <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => api<T>('POST', path, body ?? {}, headers)

export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v))
  const s = p.toString()
  return s ? '?' + s : ''
}

// The city's clock: every date and time the UI shows or sends is Asia/Shanghai (UTC+8, no
// daylight saving), whatever the browser's own time zone is.
export const CITY_TZ = 'Asia/Shanghai'
const CITY_OFFSET_MS = 8 * 3600 * 1000
const z = (n: number) => String(n).padStart(2, '0')
// The city's calendar fields of an instant (a Date shifted by +8 h, read with getUTC*).
function cityParts(d: Date) {
  const c = new Date(d.getTime() + CITY_OFFSET_MS)
  return { y: c.getUTCFullYear(), mo: c.getUTCMonth() + 1, d: c.getUTCDate(), h: c.getUTCHours(), mi: c.getUTCMinutes(), s: c.getUTCSeconds() }
}

// City calendar dates (YYYY-MM-DD) as the API wants them.
export function ymd(d: Date): string {
  const p = cityParts(d)
  return `${p.y}-${z(p.mo)}-${z(p.d)}`
}
function cityDay(d: Date, addDays: number, firstOfMonth = false): string {
  const p = cityParts(d)
  const c = new Date(Date.UTC(p.y, p.mo - 1, firstOfMonth ? 1 : p.d + addDays))
  return `${c.getUTCFullYear()}-${z(c.getUTCMonth() + 1)}-${z(c.getUTCDate())}`
}
export function monthStart(d = new Date()): string { return cityDay(d, 0, true) }
export function tomorrow(d = new Date()): string { return cityDay(d, 1) }
// A calendar date `days` days from the city's date of `d`.
export function addDays(d: Date, days: number): string { return cityDay(d, days) }

function parse(s?: string | null): Date | null {
  if (!s) return null
  const d = new Date(s)
  return isNaN(d.getTime()) ? null : d
}

// "2026-12-07 14:05" in the city's time.
export function fmtTime(s?: string | null): string {
  const d = parse(s)
  if (!d) return s || ''
  const p = cityParts(d)
  return `${p.y}-${z(p.mo)}-${z(p.d)} ${z(p.h)}:${z(p.mi)}`
}

// A deadline. Deadlines fall at midnight when the rules count whole days: a deadline of
// "12-15 00:00" means "by the end of 12-14", so midnight is shown as the day before at 24:00.
// In zh-CN: "12月14日 24:00" (the year when it is not this year's).
export function fmtDue(s?: string | null, now = new Date()): string {
  const d = parse(s)
  if (!d) return s || ''
  let p = cityParts(d)
  let hm = `${z(p.h)}:${z(p.mi)}`
  if (p.h === 0 && p.mi === 0 && p.s === 0) {
    p = cityParts(new Date(d.getTime() - 1000))
    hm = '24:00'
  }
  const sameYear = p.y === cityParts(now).y
  if (i18n.global.locale.value === 'en') return `${sameYear ? '' : p.y + '-'}${z(p.mo)}-${z(p.d)} ${hm}`
  return `${sameYear ? '' : p.y + '年'}${p.mo}月${p.d}日 ${hm}`
}

// A duration in hours as people read it: under two days in hours, else in days
// ("116天"; `working` when the days counted are working days: "116个工作日").
export function fmtHours(h: number, working = false): string {
  const zh = i18n.global.locale.value !== 'en'
  if (h < 48) return zh ? `${Math.round(h)}小时` : `${Math.round(h)} h`
  const days = Math.round(h / 24)
  if (working) return zh ? `${days}个工作日` : `${days} working days`
  return zh ? `${days}天` : `${days} d`
}

export function landingFor(role?: string): string {
  switch (role) {
    case 'agent': return '/agent'
    case 'dispatcher': case 'handler': case 'grid_worker': return '/workbench'
    case 'supervisor': case 'admin': return '/dashboard'
    case 'citizen': return '/citizen'
    default: return '/login'
  }
}

// Requests started before the screen's code loaded; the screen takes each once.
const early = new Map<string, Promise<any>>()

// index.html starts the dashboard's request before the app loads; turn it into an api() result.
export function adoptEarly() {
  const e = (window as any).__early as { path: string; response: Promise<Response> } | undefined
  if (!e) return
  delete (window as any).__early
  const p = e.response.then(async (r) => {
    if (r.ok) return r.json()
    return api('GET', e.path)  // errors (401, 404...) go through the one error path
  })
  p.catch(() => { /* the screen sees it */ })
  early.set(e.path, p)
}

export function takePrefetched<T = any>(path: string): Promise<T> | undefined {
  const p = early.get(path)
  early.delete(path)
  return p
}
