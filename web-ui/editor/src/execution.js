// What a running job looks like on the canvas: the running node highlighted with a progress bar, live previews
// from the binary frames, and the images an output node returned drawn inside it.
import { LiteGraph } from '@comfyorg/litegraph'
import { api } from './api.js'

const RUNNING_COLOR = '#3c8'

export class ExecutionView {
  constructor(graph, canvas, socket) {
    this.graph = graph
    this.canvas = canvas
    this.running = null
    this.promptId = null
    socket.on('execution_start', (d) => {
      this.promptId = d.prompt_id
    })
    socket.on('executing', (d) => this.onExecuting(d))
    socket.on('progress', (d) => this.onProgress(d))
    socket.on('executed', (d) => this.onExecuted(d))
    socket.on('preview', (blob) => this.onPreview(blob))
    socket.on('execution_error', () => this.setRunning(null))
    socket.on('execution_interrupted', () => this.setRunning(null))
  }

  node(id) {
    return id === null || id === undefined ? null : this.graph.getNodeById(Number(String(id).split(':')[0]))
  }

  onExecuting(d) {
    this.setRunning(d.node === null ? null : this.node(d.display_node ?? d.node))
  }

  setRunning(node) {
    if (this.running) {
      this.running.progress = undefined
      this.running.boxcolor = undefined
      this.running.easelRunning = false
    }
    this.running = node
    if (node) {
      node.easelRunning = true
      node.boxcolor = RUNNING_COLOR
      outlineWhileRunning(node)
    }
    this.canvas.setDirty(true, true)
  }

  onProgress(d) {
    const node = this.node(d.node) ?? this.running
    if (!node) return
    node.progress = d.max ? d.value / d.max : 0
    this.canvas.setDirty(true, false)
  }

  onPreview(blob) {
    const node = this.running
    if (!node) return
    const url = URL.createObjectURL(blob)
    const image = new Image()
    image.onload = () => {
      if (node.easelPreviewUrl) URL.revokeObjectURL(node.easelPreviewUrl)
      node.easelPreviewUrl = url
      showImages(node, [image])
      this.canvas.setDirty(true, false)
    }
    image.src = url
  }

  onExecuted(d) {
    const node = this.node(d.display_node ?? d.node)
    const images = d.output?.images
    if (!node || !images?.length) return
    node.images = images
    const loaded = images.map((im) => {
      const image = new Image()
      image.onload = () => this.canvas.setDirty(true, false)
      image.src = api.viewUrl(im)
      return image
    })
    showImages(node, loaded)
  }
}

/** Outlines the node in green while it runs (litegraph draws the progress bar itself, from {@code node.progress}). */
function outlineWhileRunning(node) {
  if (node.easelOutlines) return
  node.easelOutlines = true
  const previous = node.onDrawForeground
  node.onDrawForeground = function (ctx, ...rest) {
    previous?.call(this, ctx, ...rest)
    if (!this.easelRunning) return
    const title = LiteGraph.NODE_TITLE_HEIGHT
    ctx.save()
    ctx.strokeStyle = RUNNING_COLOR
    ctx.lineWidth = 3
    ctx.strokeRect(-3, -title - 3, this.size[0] + 6, this.size[1] + title + 6)
    ctx.restore()
  }
}

/** Draws {@code images} inside {@code node}, below its widgets, scaled to fit. */
export function showImages(node, images) {
  node.imgs = images
  if (!node.easelDrawsImages) {
    node.easelDrawsImages = true
    const previous = node.onDrawBackground
    node.onDrawBackground = function (ctx) {
      previous?.call(this, ctx)
      drawImages(this, ctx)
    }
  }
  const room = widgetsBottom(node) + 220 // space for the images below the slots and widgets
  if (node.size[1] < room) node.setSize([Math.max(node.size[0], 256), room])
}

function drawImages(node, ctx) {
  const images = (node.imgs ?? []).filter((im) => im.complete && im.naturalWidth > 0)
  if (!images.length) return
  const top = widgetsBottom(node) + 4
  const width = node.size[0]
  const height = node.size[1] - top
  if (height <= 8) return
  const cell = width / images.length
  images.forEach((image, i) => {
    const scale = Math.min(cell / image.naturalWidth, height / image.naturalHeight)
    const w = image.naturalWidth * scale
    const h = image.naturalHeight * scale
    ctx.drawImage(image, i * cell + (cell - w) / 2, top + (height - h) / 2, w, h)
  })
}

/** Where the slots and widgets end, in node coordinates (widgets know their y once drawn). */
function widgetsBottom(node) {
  const slots = Math.max(node.inputs?.filter((i) => !i.widget).length ?? 0, node.outputs?.length ?? 0)
  const drawn = (node.widgets ?? []).map((w) => (w.last_y ?? w.y ?? 0) + (w.computedHeight ?? 20))
  return Math.max(slots * 20 + (node.widgets?.length ?? 0) * 24 + 6, ...drawn)
}
