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

// The subject tree for pickers (el-tree-select): value = code, label = "code name"; only the
// leaves are categories an order can carry, the upper levels group them.
export interface SubjectNode { value: string; label: string; children?: SubjectNode[]; disabled?: boolean }
let tree: Promise<SubjectNode[]> | null = null
export function loadSubjectTree(): Promise<SubjectNode[]> {
  if (!tree) {
    tree = get<any>('/taxonomy').then((doc) => {
      const list: any[] = doc.subjects || []
      const nodes = new Map<string, SubjectNode>(list.map((s) => [s.code, { value: s.code, label: s.code + ' ' + s.name }]))
      const roots: SubjectNode[] = []
      for (const s of list) {
        const n = nodes.get(s.code)!
        const p = s.parent ? nodes.get(s.parent) : undefined
        if (p) (p.children ||= []).push(n)
        else roots.push(n)
      }
      return roots
    }).catch((e) => { tree = null; throw e })
  }
  return tree
}
