// The history view: past jobs from GET /history, newest first, with their output images; a job's workflow (the UI
// workflow it was queued with, kept in extra_pnginfo) can be opened again.
import { api } from './api.js'

export class HistoryPanel {
  constructor(open) {
    this.open = open
    this.panel = document.getElementById('history-panel')
    this.list = document.getElementById('history-list')
    document.getElementById('history-button').addEventListener('click', () => {
      this.panel.hidden = !this.panel.hidden
      if (!this.panel.hidden) document.getElementById('queue-panel').hidden = true // one side panel at a time
      this.refreshIfOpen()
    })
    document.getElementById('refresh-history').addEventListener('click', () => this.refresh())
  }

  refreshIfOpen() {
    if (!this.panel.hidden) this.refresh()
  }

  async refresh() {
    const response = await api.history()
    if (!response.ok) return
    const entries = Object.entries(response.json ?? {})
      .sort((a, b) => (b[1].prompt?.[0] ?? 0) - (a[1].prompt?.[0] ?? 0))
    this.list.replaceChildren(...entries.map(([id, entry]) => this.item(id, entry)))
  }

  item(promptId, entry) {
    const li = document.createElement('li')
    li.className = 'history-item'
    li.dataset.promptId = promptId
    li.dataset.status = entry.status?.status_str ?? ''
    const label = document.createElement('div')
    label.textContent = `#${entry.prompt?.[0] ?? '?'} ${entry.status?.status_str ?? ''}`
    li.append(label)
    for (const output of Object.values(entry.outputs ?? {})) {
      for (const image of output.images ?? []) {
        const img = document.createElement('img')
        img.src = api.viewUrl(image, 'webp;70')
        img.alt = image.filename
        img.loading = 'lazy'
        li.append(img)
      }
    }
    const workflow = entry.prompt?.[3]?.extra_pnginfo?.workflow
    if (workflow) {
      const button = document.createElement('button')
      button.className = 'open-workflow'
      button.textContent = 'Open workflow'
      button.addEventListener('click', () => this.open(workflow))
      li.append(button)
    }
    return li
  }
}
