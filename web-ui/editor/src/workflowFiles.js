// Workflows as files: save in ComfyUI's UI format, open a workflow JSON or a PNG made by Easel or ComfyUI (its
// embedded workflow), by the Open button, drag and drop or paste; export in API format (converted by the server).
import { api } from './api.js'
import { workflowFromPng } from './pngMetadata.js'

export class WorkflowFiles {
  constructor(graph, load, errors) {
    this.graph = graph
    this.load = load
    this.errors = errors
    const input = document.getElementById('file-input')
    document.getElementById('load-button').addEventListener('click', () => input.click())
    input.addEventListener('change', () => {
      if (input.files[0]) this.open(input.files[0])
      input.value = ''
    })
    document.getElementById('save-button').addEventListener('click', () => this.save())
    document.getElementById('export-api-button').addEventListener('click', () => this.exportApi())
    document.addEventListener('dragover', (e) => e.preventDefault())
    document.addEventListener('drop', (e) => {
      const file = e.dataTransfer?.files?.[0]
      if (!file) return
      e.preventDefault()
      e.stopPropagation()
      this.open(file)
    }, true)
    document.addEventListener('paste', (e) => {
      const file = [...(e.clipboardData?.files ?? [])][0]
      if (file) {
        e.preventDefault()
        this.open(file)
        return
      }
      const text = e.clipboardData?.getData('text/plain')
      if (text && text.trimStart().startsWith('{') && looksLikeWorkflow(text)) {
        e.preventDefault()
        this.openText(text, 'the pasted text')
      }
    })
  }

  /** Opens a dropped, pasted or chosen file: a PNG with an embedded workflow, or a workflow JSON. */
  async open(file) {
    try {
      if (file.type === 'image/png' || file.name?.toLowerCase().endsWith('.png')) {
        const found = workflowFromPng(new Uint8Array(await file.arrayBuffer()))
        if (found?.workflow) return this.load(found.workflow)
        throw new Error(found?.apiPrompt ? 'the PNG holds only an API-format prompt, no editor workflow'
          : 'the PNG has no embedded workflow')
      }
      this.openText(await file.text(), file.name)
    } catch (e) {
      this.errors.showDialog(`Cannot open ${file.name ?? 'the file'}`, e.message)
    }
  }

  openText(text, name) {
    const json = JSON.parse(text)
    if (!Array.isArray(json.nodes)) {
      throw new Error(`${name} is not an editor (UI-format) workflow: it has no "nodes" list`)
    }
    this.load(json)
  }

  save() {
    download('workflow.json', JSON.stringify(this.graph.serialize(), null, 2))
  }

  async exportApi() {
    const response = await api.convert(this.graph.serialize())
    if (!response.ok) {
      this.errors.showValidation(response.json)
      return
    }
    download('workflow_api.json', JSON.stringify(response.json.prompt, null, 2))
  }
}

function looksLikeWorkflow(text) {
  try {
    return Array.isArray(JSON.parse(text).nodes)
  } catch {
    return false
  }
}

function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
