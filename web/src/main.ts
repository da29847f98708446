import { createApp } from 'vue'
import 'element-plus/theme-chalk/base.css'
import 'element-plus/theme-chalk/dark/css-vars.css'
import 'leaflet/dist/leaflet.css'
import './style.css'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { adoptEarly } from './api'

// The one-screen dashboard's summary was requested by index.html before this code loaded.
adoptEarly()

createApp(App).use(i18n).use(router).mount('#app')
