// The editor's composition root: loads the node types, the canvas and the last (or default) workflow, and wires the
// toolbar, the panels and the event socket together. Each concern lives in its own module.
import '@comfyorg/litegraph/style.css'
import './style.css'
import { LGraph, LGraphCanvas, LiteGraph } from '@comfyorg/litegraph'
import { api, EventSocket } from './api.js'
import { registerNodeTypes } from './nodeTypes.js'
import { registerVirtualNodes } from './virtualNodes.js'
import { defaultGraph } from './defaultGraph.js'
import { applyControlAfterGenerate } from './widgets.js'
import { ExecutionView } from './execution.js'
import { QueuePanel } from './queuePanel.js'
import { HistoryPanel } from './historyPanel.js'
import { ErrorView } from './errors.js'
import { WorkflowFiles } from './workflowFiles.js'
import { UndoHistory } from './undo.js'
import { installShortcuts } from './shortcuts.js'

const STORAGE_KEY = 'easel.workflow'
const PALETTE_POLL_MS = 3000

async function start() {
  const { info, etag } = await api.objectInfo()
  let objectInfo = info
  let paletteEtag = etag
  let types = registerNodeTypes(objectInfo).registered
  registerVirtualNodes()

  const graph = new LGraph()
  const canvasElement = document.getElementById('easel-canvas')
  const canvas = new LGraphCanvas(canvasElement, graph)
  canvas.allow_searchbox = true
  canvas.render_canvas_border = false // litegraph outlines the first view's area, which means nothing to people
  resizeCanvas(canvas)
  window.addEventListener('resize', () => resizeCanvas(canvas))

  const errors = new ErrorView(graph, canvas)
  const undo = new UndoHistory(graph, canvas)
  const load = (workflow) => {
    errors.clear()
    graph.clear()
    graph.configure(workflow)
    if (!workflow.extra?.ds) fitView(canvas, graph)
    undo.reset()
    canvas.setDirty(true, true)
  }

  // The server's default workflow (API format) gives the default graph its values; none (204) keeps ComfyUI's.
  const serverDefault = await api.get('/api/workflow/default')
  const openDefault = () => load(defaultGraph(objectInfo, serverDefault.status === 200 ? serverDefault.json : null))
  const saved = localStorage.getItem(STORAGE_KEY)
  try {
    if (saved) load(JSON.parse(saved))
    else openDefault()
  } catch (e) {
    console.warn('editor: the saved workflow could not be opened; opening the default one', e)
    openDefault()
  }
  // Keep the workflow across reloads of the page.
  setInterval(() => localStorage.setItem(STORAGE_KEY, JSON.stringify(graph.serialize())), 1000)

  const socket = new EventSocket()
  const execution = new ExecutionView(graph, canvas, socket)
  const queuePanel = new QueuePanel(socket)
  const history = new HistoryPanel((workflow) => load(workflow))
  const files = new WorkflowFiles(graph, load, errors)

  async function queue() {
    errors.clear()
    const count = Math.max(1, Number(document.getElementById('batch-count').value) || 1)
    for (let i = 0; i < count; i++) {
      const workflow = graph.serialize()
      const response = await api.queue(workflow)
      if (!response.ok) {
        errors.showValidation(response.json)
        return
      }
      applyControlAfterGenerate(graph)
      canvas.setDirty(true, true)
    }
    queuePanel.refresh()
  }

  document.getElementById('queue-button').addEventListener('click', queue)
  document.getElementById('new-button').addEventListener('click', () => load({ nodes: [], links: [], version: 0.4 }))
  document.getElementById('default-button').addEventListener('click', openDefault)
  installShortcuts({ canvas, queue, undo, files })

  socket.on('open', () => setStatus('connected'))
  socket.on('close', () => setStatus('disconnected: reconnecting…'))
  socket.on('status', (data) => {
    document.getElementById('queue-status').textContent = `queue: ${data?.status?.exec_info?.queue_remaining ?? 0}`
  })
  socket.on('execution_error', (data) => errors.showExecution(data))
  socket.on('execution_success', () => history.refreshIfOpen())
  socket.connect()

  // The palette follows the server: a plugin enabled or disabled changes object_info's ETag.
  setInterval(async () => {
    try {
      const changed = await api.objectInfo(paletteEtag)
      if (!changed) return
      objectInfo = changed.info
      paletteEtag = changed.etag
      types = registerNodeTypes(objectInfo, types).registered
      window.dispatchEvent(new CustomEvent('easel:palette', { detail: [...types] }))
    } catch (e) {
      console.debug('editor: object_info poll failed', e)
    }
  }, PALETTE_POLL_MS)

  // For people in the console and for the browser tests.
  Object.assign(window.easel, { graph, canvas, api, load, queue, execution, errors, files, undo,
    objectInfo: () => objectInfo, nodeTypes: () => [...types], LiteGraph })
}

/** Shows every node (a workflow saved without a view, such as the default one). */
function fitView(canvas, graph) {
  const nodes = graph._nodes ?? []
  if (!nodes.length) return
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity]
  for (const node of nodes) {
    x0 = Math.min(x0, node.pos[0])
    y0 = Math.min(y0, node.pos[1] - LiteGraph.NODE_TITLE_HEIGHT)
    x1 = Math.max(x1, node.pos[0] + node.size[0])
    y1 = Math.max(y1, node.pos[1] + node.size[1])
  }
  const margin = 40
  canvas.ds.fitToBounds([x0 - margin, y0 - margin, x1 - x0 + 2 * margin, y1 - y0 + 2 * margin], { zoom: 1 })
}

function resizeCanvas(canvas) {
  const element = canvas.canvas
  const rect = element.parentElement.getBoundingClientRect()
  canvas.resize(Math.floor(rect.width), Math.floor(rect.height))
}

function setStatus(text) {
  document.getElementById('connection-status').textContent = text
}

window.easel = {}
window.easel.ready = start().catch((e) => {
  console.error('editor: failed to start', e)
  document.getElementById('connection-status').textContent = `failed to start: ${e.message}`
  throw e
})
