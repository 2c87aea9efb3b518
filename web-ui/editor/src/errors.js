// Errors, as people need them: a validation error marks the offending nodes (red) and names each input and reason;
// an execution error names the node, the message and the details.

export class ErrorView {
  constructor(graph, canvas) {
    this.graph = graph
    this.canvas = canvas
    this.dialog = document.getElementById('error-dialog')
    document.getElementById('error-close').addEventListener('click', () => this.hideDialog())
  }

  clear() {
    for (const node of this.graph._nodes ?? []) {
      if (node.has_errors) {
        node.has_errors = false
        node.easelErrors = undefined
        for (const input of node.inputs ?? []) input.easelError = undefined
      }
    }
    this.hideDialog()
    this.canvas.setDirty(true, true)
  }

  /** The 400 of POST /prompt: {error, node_errors: {id: {errors: [{message, details, extra_info: {input_name}}]}}}. */
  showValidation(body) {
    const lines = []
    if (body?.error) lines.push(describe(body.error))
    for (const [id, entry] of Object.entries(body?.node_errors ?? {})) {
      const node = this.graph.getNodeById(Number(String(id).split(':')[0]))
      const title = node ? `#${id} ${node.title}` : `#${id} ${entry.class_type ?? ''}`
      for (const error of entry.errors ?? []) {
        const input = error.extra_info?.input_name
        lines.push(`${title}${input ? `, input ${input}` : ''}: ${error.message}${error.details ? ` (${error.details})` : ''}`)
        if (node && input) {
          const slot = node.inputs?.find((i) => i.name === input)
          if (slot) slot.easelError = error.message
        }
      }
      if (node) {
        node.has_errors = true
        node.easelErrors = entry.errors
      }
    }
    this.canvas.setDirty(true, true)
    this.showDialog('The workflow is not valid', lines.join('\n'))
  }

  /** The execution_error event. */
  showExecution(data) {
    const node = this.graph.getNodeById(Number(String(data.node_id).split(':')[0]))
    if (node) {
      node.has_errors = true
      this.canvas.setDirty(true, true)
    }
    const details = [
      `${data.exception_type}: ${data.exception_message}`,
      '',
      ...(data.traceback ?? []),
    ]
    this.showDialog(`Error in node #${data.node_id} ${node?.title ?? data.node_type}`, details.join('\n').trim())
  }

  showDialog(title, text) {
    document.getElementById('error-title').textContent = title
    document.getElementById('error-text').textContent = text
    this.dialog.hidden = false
  }

  hideDialog() {
    this.dialog.hidden = true
  }
}

function describe(error) {
  if (typeof error === 'string') return error
  return [error.message, error.details].filter(Boolean).join(': ')
}
