// Phone-sized screens (under 768 px wide): one reactive flag for every screen, following the
// window as it is resized or turned.
import { ref } from 'vue'

const query = typeof window !== 'undefined' ? window.matchMedia('(max-width: 767px)') : null
export const narrow = ref(!!query?.matches)
query?.addEventListener('change', (e) => { narrow.value = e.matches })
