import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// `npm run dev` proxies the API to a running `hotline serve` (default 127.0.0.1:8080).
export default defineConfig({
  plugins: [vue()],
  base: '/',
  build: {
    outDir: 'dist',
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks: {
          vue: ['vue', 'vue-router', 'vue-i18n'],
          element: ['element-plus'],
          echarts: ['echarts'],
          leaflet: ['leaflet'],
        },
      },
    },
  },
  server: {
    proxy: { '/api': process.env.HOTLINE_URL || 'http://127.0.0.1:8080' },
  },
})
