// The keyboard shortcuts a ComfyUI user expects. Copy, paste, delete and select-all are litegraph's own.
const MODE_ALWAYS = 0
const MODE_NEVER = 2
const MODE_BYPASS = 4

export function installShortcuts({ canvas, queue, undo, files }) {
  window.addEventListener('keydown', (e) => {
    const target = e.target
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) return
    const mod = e.ctrlKey || e.metaKey
    const key = e.key.toLowerCase()
    let handled = true
    if (mod && key === 'enter') queue()
    else if (mod && key === 's') files.save()
    else if (mod && key === 'o') document.getElementById('file-input').click()
    else if (mod && key === 'z' && !e.shiftKey) undo.undo()
    else if (mod && (key === 'y' || (key === 'z' && e.shiftKey))) undo.redo()
    else if (mod && key === 'm') toggleMode(canvas, MODE_NEVER)
    else if (mod && key === 'b') toggleMode(canvas, MODE_BYPASS)
    else handled = false
    if (handled) e.preventDefault()
  })
}

/** Mutes (Ctrl+M) or bypasses (Ctrl+B) the selected nodes, or turns them back on. */
function toggleMode(canvas, mode) {
  const nodes = Object.values(canvas.selected_nodes ?? {})
  const all = nodes.every((n) => n.mode === mode)
  for (const node of nodes) node.mode = all ? MODE_ALWAYS : mode
  canvas.setDirty(true, true)
}
