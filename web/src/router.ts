import { createRouter, createWebHistory } from 'vue-router'
import { session, landingFor } from './api'

const routes = [
  { path: '/', redirect: () => landingFor(session.user?.role) },
  { path: '/login', component: () => import('./views/Login.vue'), meta: { public: true } },
  { path: '/track', component: () => import('./views/Track.vue'), meta: { public: true } },
  { path: '/faq', component: () => import('./views/Faq.vue'), meta: { public: true } },
  { path: '/kb', component: () => import('./views/Kb.vue'), meta: { roles: ['agent', 'dispatcher', 'handler', 'grid_worker', 'supervisor', 'admin'] } },
  { path: '/agent', component: () => import('./views/AgentConsole.vue'), meta: { roles: ['agent', 'dispatcher', 'admin'] } },
  { path: '/workbench', component: () => import('./views/Workbench.vue'), meta: { roles: ['agent', 'dispatcher', 'handler', 'grid_worker', 'supervisor', 'admin'] } },
  { path: '/orders/:id', component: () => import('./views/Workbench.vue'), meta: { roles: ['agent', 'dispatcher', 'handler', 'grid_worker', 'supervisor', 'admin'] } },
  { path: '/dashboard', component: () => import('./views/Dashboard.vue'), meta: { roles: ['agent', 'dispatcher', 'handler', 'grid_worker', 'supervisor', 'admin'], bare: true } },
  { path: '/patrol', component: () => import('./views/Patrol.vue'), meta: { roles: ['grid_worker'] } },
  { path: '/reports', component: () => import('./views/Reports.vue'), meta: { roles: ['supervisor', 'admin'] } },
  { path: '/admin', component: () => import('./views/Admin.vue'), meta: { roles: ['admin'] } },
  { path: '/audit', component: () => import('./views/Audit.vue'), meta: { roles: ['supervisor'] } },
  { path: '/citizen', component: () => import('./views/Citizen.vue'), meta: { roles: ['citizen'] } },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach((to) => {
  if (to.meta.public) return true
  if (!session.token) return { path: '/login', query: { next: to.fullPath } }
  const roles = to.meta.roles as string[] | undefined
  if (roles && !roles.includes(session.user?.role || '')) return landingFor(session.user?.role)
  return true
})
