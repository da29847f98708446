// One form submission at a time: `busy` while it runs, the error with the field the server
// named, and one Idempotency-Key per logical submission — kept when a try fails (a retry can
// never create a second order), renewed after success or by renew() for a new form.
import { ref } from 'vue'

export function useSubmission(prefix: string) {
  const busy = ref(false)
  const error = ref('')
  const newKey = () => prefix + '-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 10)
  let key = newKey()

  async function run<T>(send: (idempotencyKey: string) => Promise<T>): Promise<T | undefined> {
    if (busy.value) return undefined
    busy.value = true
    error.value = ''
    try {
      const result = await send(key)
      key = newKey()
      return result
    } catch (e: any) {
      error.value = e.message
      return undefined
    } finally {
      busy.value = false
    }
  }
  function renew() {
    key = newKey()
    error.value = ''
  }
  return { busy, error, run, renew }
}
