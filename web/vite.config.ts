import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// Element Plus components (and their CSS) are imported where a template uses them, so the
// one-screen dashboard, which uses none, does not wait for the whole library.
// `npm run dev` proxies the API to a running `hotline serve` (default 127.0.0.1:8080).
export default defineConfig({
  plugins: [vue(), Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false })],
  base: '/',
  build: { outDir: 'dist', chunkSizeWarningLimit: 1500 },
  server: {
    proxy: { '/api': process.env.HOTLINE_URL || 'http://127.0.0.1:8080' },
  },
})
