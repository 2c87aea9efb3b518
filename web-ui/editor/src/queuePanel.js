// The queue panel: the running and pending jobs from GET /queue, each with a cancel button (a pending job is deleted,
// the running one interrupted), and Clear for every pending job. Refreshed on every status event.
import { api } from './api.js'

export class QueuePanel {
  constructor(socket) {
    this.panel = document.getElementById('queue-panel')
    this.list = document.getElementById('queue-list')
    document.getElementById('queue-toggle').addEventListener('click', () => {
      this.panel.hidden = !this.panel.hidden
      if (!this.panel.hidden) document.getElementById('history-panel').hidden = true // one side panel at a time
      this.refresh()
    })
    document.getElementById('clear-queue').addEventListener('click', async () => {
      await api.clearPending()
      this.refresh()
    })
    socket.on('status', () => this.refresh())
    socket.on('open', () => this.refresh())
  }

  async refresh() {
    const response = await api.queueState()
    if (!response.ok) return
    const running = response.json.queue_running ?? []
    const pending = [...(response.json.queue_pending ?? [])].sort((a, b) => a[0] - b[0])
    this.list.replaceChildren(...running.map((item) => this.item(item, 'running')),
      ...pending.map((item) => this.item(item, 'pending')))
  }

  /** One queue entry: [number, prompt_id, prompt, extra_data, outputs]. */
  item([number, promptId, prompt], state) {
    const li = document.createElement('li')
    li.className = 'queue-item'
    li.dataset.promptId = promptId
    li.dataset.state = state
    const label = document.createElement('span')
    label.textContent = `#${number} ${state} · ${Object.keys(prompt ?? {}).length} nodes`
    const cancel = document.createElement('button')
    cancel.className = 'cancel'
    cancel.textContent = state === 'running' ? 'Stop' : 'Cancel'
    cancel.title = state === 'running' ? 'Interrupt this job' : 'Remove this job from the queue'
    cancel.addEventListener('click', async () => {
      if (state === 'running') await api.interrupt(promptId)
      else await api.deletePending([promptId])
      this.refresh()
    })
    li.append(label, cancel)
    return li
  }
}
