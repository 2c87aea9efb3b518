// The Easel server's public API, as ComfyUI clients use it (docs/api-contract.md): HTTP for requests, one WebSocket
// for events. The editor uses nothing else, so whatever it does a program can do too.

const params = new URLSearchParams(location.search)
const token = params.get('token')

/** A URL on the server, with the access token when the page was opened with one. */
export function apiUrl(path, query = {}) {
  const url = new URL(path, location.href)
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null) url.searchParams.set(k, v)
  }
  if (token) url.searchParams.set('token', token)
  return url.toString()
}

async function request(method, path, body, headers = {}) {
  const init = { method, headers: { ...headers } }
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  const response = await fetch(apiUrl(path), init)
  const text = await response.text()
  let json = null
  try {
    json = text ? JSON.parse(text) : null
  } catch {
    json = { error: text }
  }
  return { status: response.status, ok: response.ok, json, headers: response.headers }
}

export const api = {
  clientId: sessionStorage.getItem('easel.clientId') || crypto.randomUUID(),

  get: (path) => request('GET', path),
  post: (path, body) => request('POST', path, body),

  /** object_info, or null when it did not change since {@code etag} (304). */
  async objectInfo(etag) {
    const response = await fetch(apiUrl('/object_info'), { headers: etag ? { 'If-None-Match': etag } : {} })
    if (response.status === 304) return null
    if (!response.ok) throw new Error(`object_info: HTTP ${response.status}`)
    return { info: await response.json(), etag: response.headers.get('ETag') }
  },

  /** Queues a UI-format workflow (the server converts it to the API format and keeps it for the PNG). */
  queue(workflow, extraPngInfo) {
    return request('POST', '/prompt', {
      prompt: workflow,
      client_id: this.clientId,
      extra_data: { extra_pnginfo: { workflow: extraPngInfo ?? workflow }, preview_method: 'auto' },
    })
  },

  convert: (workflow) => request('POST', '/api/workflow/convert', workflow),
  queueState: () => request('GET', '/queue'),
  deletePending: (ids) => request('POST', '/queue', { delete: ids }),
  clearPending: () => request('POST', '/queue', { clear: true }),
  interrupt: (promptId) => request('POST', '/interrupt', promptId ? { prompt_id: promptId } : {}),
  history: (maxItems = 64) => request('GET', `/history?max_items=${maxItems}`),

  /** The URL that shows an output image ({filename, subfolder, type}). */
  viewUrl(image, preview) {
    return apiUrl('/view', { filename: image.filename, subfolder: image.subfolder ?? '', type: image.type ?? 'output',
      preview })
  },
}
sessionStorage.setItem('easel.clientId', api.clientId)

/**
 * The event socket: ComfyUI's JSON messages ({type, data}) and binary preview frames, reconnecting with back-off.
 * Listeners: on(type, fn) for JSON types, on('preview', fn(blob)) for images, on('open'|'close', fn).
 */
export class EventSocket {
  constructor() {
    this.listeners = new Map()
    this.delay = 500
  }

  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, [])
    this.listeners.get(type).push(fn)
    return this
  }

  emit(type, data) {
    for (const fn of this.listeners.get(type) ?? []) {
      try {
        fn(data)
      } catch (e) {
        console.warn(`editor: a ${type} listener failed`, e)
      }
    }
  }

  connect() {
    const url = new URL(apiUrl('/ws', { clientId: api.clientId }))
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:'
    const socket = new WebSocket(url)
    socket.binaryType = 'arraybuffer'
    socket.onopen = () => {
      this.delay = 500
      this.emit('open')
    }
    socket.onclose = () => {
      this.emit('close')
      setTimeout(() => this.connect(), this.delay)
      this.delay = Math.min(this.delay * 2, 10_000)
    }
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') {
        this.onBinary(event.data)
        return
      }
      const message = JSON.parse(event.data)
      this.emit(message.type, message.data)
    }
    this.socket = socket
  }

  /** Binary frames: a big-endian u32 event type; 1 = a preview image (u32 format, then the JPEG/PNG bytes). */
  onBinary(buffer) {
    const view = new DataView(buffer)
    const type = view.getUint32(0)
    if (type === 1) {
      const format = view.getUint32(4) === 2 ? 'image/png' : 'image/jpeg'
      this.emit('preview', new Blob([buffer.slice(8)], { type: format }))
    }
  }
}
