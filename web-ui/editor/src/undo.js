// Undo and redo as snapshots of the serialized graph, taken when the graph settles after a change (a drag, a new
// link, a widget edit). Simple and exact: whatever the canvas can change, a snapshot restores.
const LIMIT = 100
const SETTLE_MS = 300

export class UndoHistory {
  constructor(graph, canvas) {
    this.graph = graph
    this.canvas = canvas
    this.past = []
    this.future = []
    this.current = null
    this.restoring = false
    setInterval(() => this.check(), SETTLE_MS)
    canvas.canvas.addEventListener('pointerup', () => setTimeout(() => this.check(), 50))
  }

  reset() {
    this.past = []
    this.future = []
    this.current = this.snapshot()
  }

  snapshot() {
    const data = this.graph.serialize()
    delete data.extra?.ds // the view (zoom, pan) is not an edit
    return JSON.stringify(data)
  }

  /** Records a new state when the graph differs from the last one. */
  check() {
    if (this.restoring || this.canvas.pointer?.isDown || this.canvas.dragging_canvas) return
    const now = this.snapshot()
    if (now === this.current) return
    if (this.current !== null) this.past.push(this.current)
    if (this.past.length > LIMIT) this.past.shift()
    this.future = []
    this.current = now
  }

  undo() {
    this.check()
    if (!this.past.length) return false
    this.future.push(this.current)
    this.restore(this.past.pop())
    return true
  }

  redo() {
    if (!this.future.length) return false
    this.past.push(this.current)
    this.restore(this.future.pop())
    return true
  }

  restore(state) {
    this.restoring = true
    try {
      const ds = this.graph.extra?.ds
      this.graph.configure(JSON.parse(state))
      if (ds) this.graph.extra.ds = ds
      this.current = state
      this.canvas.setDirty(true, true)
    } finally {
      this.restoring = false
    }
  }
}
