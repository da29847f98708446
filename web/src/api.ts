// The one HTTP client: token from the session, JSON in and out, errors as ApiError naming the
// field the server named. `unavailable` marks endpoints this server does not have yet (404 on
// the route itself), so screens can say so instead of showing made-up numbers.
import { reactive } from 'vue'

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

export class ApiError extends Error {
  constructor(public status: number, public code: string, public field: string, message: string) {
    super(message)
  }
  // The route does not exist on this server (as opposed to "this order does not exist").
  get unavailable(): boolean {
    // The router answers an unknown path with 404 naming the field "path".
    return (this.status === 404 && this.field === 'path') || this.status === 405 || this.status === 501
  }
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
  const r = await fetch('/api/v1' + path, { method, headers: h, body: payload })
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

// Local calendar dates (YYYY-MM-DD) as the API wants them.
export function ymd(d: Date): string {
  const z = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${z(d.getMonth() + 1)}-${z(d.getDate())}`
}
export function monthStart(d = new Date()): string { return ymd(new Date(d.getFullYear(), d.getMonth(), 1)) }
export function tomorrow(d = new Date()): string { return ymd(new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1)) }

export function fmtTime(s?: string | null): string {
  if (!s) return ''
  const d = new Date(s)
  if (isNaN(d.getTime())) return s
  const z = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${z(d.getMonth() + 1)}-${z(d.getDate())} ${z(d.getHours())}:${z(d.getMinutes())}`
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
