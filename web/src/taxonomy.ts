// Subjects (GET /taxonomy) and units (GET /units), loaded once per page and cached.
import { get } from './api'

export interface Subject { code: string; name: string; parent?: string; path: string }
let subjects: Promise<Subject[]> | null = null

export function loadSubjects(): Promise<Subject[]> {
  if (!subjects) {
    subjects = get<any>('/taxonomy').then((doc) => {
      const list: any[] = doc.subjects || []
      const byCode = new Map(list.map((s) => [s.code, s]))
      const path = (s: any): string => (s.parent && byCode.get(s.parent) ? path(byCode.get(s.parent)) + ' / ' : '') + s.name
      const parents = new Set(list.map((s) => s.parent).filter(Boolean))
      return list.filter((s) => !parents.has(s.code)).map((s) => ({ code: s.code, name: s.name, parent: s.parent, path: path(s) }))
    }).catch((e) => { subjects = null; throw e })
  }
  return subjects
}

export interface Unit { id: number; code: string; name: string; kind: string; parent?: { id: number; code?: string; name: string } | null }
const unitCache = new Map<string, Promise<Unit[]>>()
export function loadUnits(query: string): Promise<Unit[]> {
  if (!unitCache.has(query)) {
    unitCache.set(query, get<any>('/units' + query).then((r) => (Array.isArray(r) ? r : r.items || [])).catch((e) => { unitCache.delete(query); throw e }))
  }
  return unitCache.get(query)!
}
