// Shared bits of the admin and report screens: the error text a form shows, PUT/PATCH helpers,
// and the labels of enum values.
import { api } from '../api'

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
