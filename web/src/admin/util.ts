// Shared bits of the admin and report screens: the error text a form shows, PUT/PATCH helpers,
// and the labels of enum values.
import { api, session, ApiError } from '../api'

// The message of a refused request. The server's message names the field; the global error
// mapping (api.ts / i18n.ts) turns known codes into zh-CN.
export function errText(e: any): string {
  return e?.message || String(e)
}

export const put = <T = any>(path: string, body: unknown) => api<T>('PUT', path, body)
export const patch = <T = any>(path: string, body: unknown) => api<T>('PATCH', path, body)

export const unitKinds = ['district', 'center', 'department', 'street', 'community', 'grid']
export const roles = ['agent', 'dispatcher', 'handler', 'grid_worker', 'supervisor', 'admin', 'citizen']
export const limitUnits = ['working_days', 'working_hours', 'natural_days', 'natural_hours']

// POST an import (units, users: a JSON array of rows). The server refuses the whole import and
// lists the rows' problems; the first problem becomes the error (its field and sentence), so the
// form says what is wrong instead of "1 row(s) have errors".
export async function importRows<T = any>(path: string, rows: unknown[]): Promise<T> {
  const r = await fetch('/api/v1' + path, { method: 'POST', body: JSON.stringify(rows),
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', Authorization: 'Bearer ' + session.token } })
  let js: any = null
  try { js = await r.json() } catch { /* not JSON */ }
  if (!r.ok) {
    const e = js?.error || {}
    const row = Array.isArray(e.rows) && e.rows.length ? e.rows[0] : null
    throw new ApiError(r.status, e.code || '', row?.field || e.field || '', row?.message || e.message || r.statusText)
  }
  return js as T
}
